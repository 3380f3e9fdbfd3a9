import type { Cost } from '../catalog/cost.js';
import { emptyUsage, type Usage } from '../core/usage.js';
import type { Attempt } from '../routing/attempt.js';

/**
 * What an answer used and costs: the sum over its attempts, each billed at its own model's
 * prices (a continuation's first model and its second, a lost hedge, a cut retry).
 */
export function sumAttempts(attempts: readonly Attempt[]): { usage: Usage; cost: Cost } {
  if (attempts.length === 1 && attempts[0]!.usage)
    return { usage: attempts[0]!.usage, cost: attempts[0]!.cost };
  const usage = emptyUsage();
  const cost: Cost = { input: 0, output: 0, total: 0 };
  for (const attempt of attempts) {
    if (!attempt.usage) continue;
    usage.promptTokens += attempt.usage.promptTokens;
    usage.completionTokens += attempt.usage.completionTokens;
    usage.reasoningTokens += attempt.usage.reasoningTokens;
    usage.cachedTokens += attempt.usage.cachedTokens;
    usage.estimated ||= attempt.usage.estimated;
    cost.input += attempt.cost.input;
    cost.output += attempt.cost.output;
    cost.total += attempt.cost.total;
  }
  return { usage, cost };
}
