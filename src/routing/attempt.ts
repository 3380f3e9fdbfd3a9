import { type Cost, picoToDollars } from '../catalog/cost.js';
import type { UpstreamErrorKind } from '../core/upstream-error.js';
import type { Usage } from '../core/usage.js';

/** One upstream try, as stored and as returned to the client. */
export interface Attempt {
  provider: string;
  model: string;
  /** `cancelled`: stopped by the router, not failed: it lost a hedge race. */
  outcome: 'succeeded' | 'failed' | 'incomplete' | 'cancelled';
  errorKind: UpstreamErrorKind | undefined;
  status: number | undefined;
  /** Safe to show: no key, no prompt. */
  message: string | undefined;
  latencyMs: number;
  ttftMs: number | undefined;
  /** The tokens it used: as the upstream reported them, else estimated; none before a first token. */
  usage: Usage | undefined;
  /** What `usage` costs at this attempt's own model's prices. */
  cost: Cost;
  /** A continuation of a cut answer: how many characters of its text had been sent when it started. */
  continuedAt: number | undefined;
  /** Started beside a slower attempt (hedging). */
  hedged: boolean;
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
  promptTokens: attempt.usage?.promptTokens ?? 0,
  completionTokens: attempt.usage?.completionTokens ?? 0,
  cost: picoToDollars(attempt.cost.total),
  ...(attempt.continuedAt === undefined ? {} : { continuedAt: attempt.continuedAt }),
  ...(attempt.hedged ? { hedged: true } : {}),
});
