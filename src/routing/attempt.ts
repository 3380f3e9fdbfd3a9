import type { UpstreamErrorKind } from '../core/upstream-error.js';

/** One upstream try, as stored and as returned to the client. */
export interface Attempt {
  provider: string;
  model: string;
  outcome: 'succeeded' | 'failed' | 'incomplete';
  errorKind: UpstreamErrorKind | undefined;
  status: number | undefined;
  /** Safe to show: no key, no prompt. */
  message: string | undefined;
  latencyMs: number;
  ttftMs: number | undefined;
}

/** The JSON shape of an attempt on every surface. */
export const attemptToJson = (attempt: Attempt) => ({
  provider: attempt.provider,
  model: attempt.model,
  outcome: attempt.outcome,
  errorKind: attempt.errorKind ?? null,
  status: attempt.status ?? null,
  message: attempt.message ?? null,
  latency: attempt.latencyMs,
  ttft: attempt.ttftMs ?? null,
});
