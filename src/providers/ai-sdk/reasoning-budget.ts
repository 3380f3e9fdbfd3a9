import type { ReasoningEffort, ReasoningSetting } from '../../core/generation-options.js';

/**
 * Thinking tokens per portable effort, for the providers that take a budget (Anthropic's
 * `budget_tokens`, Gemini 2.5's `thinkingBudget`). `high` stays within Gemini 2.5 Flash's
 * maximum of 24 576; `minimal` is Anthropic's smallest budget.
 */
export const thinkingBudgetByEffort: Readonly<Record<ReasoningEffort, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 24_576,
};

/** The budget a reasoning setting asks for, at least `minimum` tokens. */
export function thinkingBudgetOf(reasoning: ReasoningSetting, minimum = 1): number {
  const budget = 'effort' in reasoning ? thinkingBudgetByEffort[reasoning.effort] : reasoning.maxTokens;
  return Math.max(minimum, budget);
}
