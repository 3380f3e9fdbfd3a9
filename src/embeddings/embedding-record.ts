import { picoToDecimal } from '../catalog/cost.js';
import type { GatewayError } from '../core/gateway-error.js';
import type { CompletionRecord } from '../store/completion-recorder.js';
import type { EmbeddingAttempt } from './embedding-attempt.js';
import type { EmbeddingResult } from './embedding-result.js';

export type EmbeddingOutcome =
  | { kind: 'succeeded'; result: EmbeddingResult }
  | { kind: 'failed'; id: string; error: GatewayError; attempts: EmbeddingAttempt[]; latencyMs: number };

const attemptRows = (completionId: string, attempts: EmbeddingAttempt[], usageEstimated = false) =>
  attempts.map((attempt, position) => ({
    completionId,
    position,
    provider: attempt.provider,
    model: attempt.model,
    outcome: attempt.outcome,
    errorKind: attempt.errorKind ?? null,
    httpStatus: attempt.status ?? null,
    latencyMs: attempt.latencyMs,
    ttftMs: null,
    promptTokens: attempt.promptTokens,
    usageEstimated,
    cost: picoToDecimal(attempt.costPico),
  }));

/**
 * An embeddings request is a usage row of kind `embedding` in the completions table, in no
 * conversation and with no messages, so usage, costs and metrics count it with the rest.
 */
export function buildEmbeddingRecord(
  apiKeyId: string,
  receivedAt: Date,
  outcome: EmbeddingOutcome,
): CompletionRecord {
  const common = {
    apiKeyId,
    conversationId: null,
    kind: 'embedding' as const,
    stream: false,
    createdAt: receivedAt,
  };
  if (outcome.kind === 'failed') {
    return {
      completion: {
        ...common,
        id: outcome.id,
        status: 'failed',
        errorCode: outcome.error.code,
        latencyMs: outcome.latencyMs,
      },
      attempts: attemptRows(outcome.id, outcome.attempts),
      messages: [],
    };
  }
  const { result } = outcome;
  return {
    completion: {
      ...common,
      id: result.id,
      provider: result.provider,
      model: result.model,
      status: 'succeeded',
      promptTokens: result.promptTokens,
      usageEstimated: result.usageEstimated,
      unpriced: result.unpriced,
      inputCost: picoToDecimal(result.cost.input),
      outputCost: picoToDecimal(result.cost.output),
      totalCost: picoToDecimal(result.cost.total),
      latencyMs: result.latencyMs,
      ttftMs: null,
    },
    attempts: attemptRows(result.id, result.attempts, result.usageEstimated),
    messages: [],
  };
}
