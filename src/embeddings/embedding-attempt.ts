import { picoToDollars } from '../catalog/cost.js';
import type { UpstreamErrorKind } from '../core/upstream-error.js';

/** One upstream try of an embeddings request, as stored and as returned to the client. */
export interface EmbeddingAttempt {
  provider: string;
  model: string;
  /** An embeddings answer comes whole or not at all. */
  outcome: 'succeeded' | 'failed';
  errorKind: UpstreamErrorKind | undefined;
  status: number | undefined;
  /** Safe to show: no key, no input. */
  message: string | undefined;
  latencyMs: number;
  /** Input tokens it was billed for: the answering attempt's only. */
  promptTokens: number;
  costPico: number;
}

/** The JSON shape of an attempt, with the field names the completion surfaces use. */
export const embeddingAttemptToJson = (attempt: EmbeddingAttempt) => ({
  provider: attempt.provider,
  model: attempt.model,
  outcome: attempt.outcome,
  errorKind: attempt.errorKind ?? null,
  status: attempt.status ?? null,
  message: attempt.message ?? null,
  latency: attempt.latencyMs,
  ttft: null,
  promptTokens: attempt.promptTokens,
  completionTokens: 0,
  cost: picoToDollars(attempt.costPico),
});
