import { GatewayError } from '../core/gateway-error.js';
import { UpstreamError } from '../core/upstream-error.js';
import { backoffDelay } from '../routing/backoff.js';
import type { Clock } from '../routing/clock.js';
import { exhaustedError } from '../routing/exhausted-error.js';
import type { HealthTracker } from '../routing/health-tracker.js';
import type { RouterSettings } from '../routing/route-completion.js';
import { type EmbeddingAttempt, embeddingAttemptToJson } from './embedding-attempt.js';
import type { EmbeddingCall, EmbeddingOutput } from './embedding-model.js';
import type { EmbeddingCandidate } from './select-embedding-candidates.js';

export interface EmbeddingRoutePlan {
  /** Pool first (ranked), then fallbacks in order. */
  candidates: EmbeddingCandidate[];
  call: Omit<EmbeddingCall, 'signal'>;
  maxRetries: number;
  /** `clock.now()` when the request arrived. */
  startedAt: number;
}

export type EmbeddingRouteOutcome =
  | {
      type: 'succeeded';
      candidate: EmbeddingCandidate;
      output: EmbeddingOutput;
      attempts: EmbeddingAttempt[];
    }
  | { type: 'failed'; error: GatewayError; attempts: EmbeddingAttempt[] };

export interface EmbeddingRouterDeps {
  settings: Pick<RouterSettings, 'timeoutMs' | 'ttftTimeoutMs' | 'maxRetryAfterMs'>;
  clock: Clock;
  /** The chat router's health: one circuit per model, whatever calls it. */
  health: HealthTracker;
  random: () => number;
}

type AbortCause = 'client' | 'attempt' | 'deadline';

/**
 * Tries the candidates in order as the completion router does: each retried on retryable
 * failures (429, 5xx, timeouts, connection errors) up to `maxRetries` with jittered backoff
 * that honours Retry-After up to `maxRetryAfterMs`, non-retryable failures moving on at
 * once. An embeddings answer comes whole, so `ttftTimeoutMs` bounds each attempt; one that
 * sat it out is not retried on the same model. Every attempt is kept, with its health.
 */
export class EmbeddingRouter {
  constructor(private readonly deps: EmbeddingRouterDeps) {}

  async route(plan: EmbeddingRoutePlan, clientSignal: AbortSignal): Promise<EmbeddingRouteOutcome> {
    const { clock, health, settings } = this.deps;
    const deadline = plan.startedAt + settings.timeoutMs;
    const attempts: EmbeddingAttempt[] = [];
    const failures: UpstreamError[] = [];

    for (const candidate of plan.candidates) {
      for (let retry = 0; retry <= plan.maxRetries; retry++) {
        if (clientSignal.aborted) return cancelled(attempts);
        if (clock.now() >= deadline) return this.#timedOut(attempts);
        if (!health.tryAcquire(candidate.info.id)) break;

        const started = clock.now();
        const result = await this.#attempt(candidate, plan, deadline, clientSignal);
        const latencyMs = Math.round(clock.now() - started);
        if (result.ok) {
          attempts.push(attemptRecord(candidate, undefined, latencyMs));
          health.recordSuccess(candidate.info.id, { ttftMs: latencyMs, latencyMs, completionTokens: 0 });
          return { type: 'succeeded', candidate, output: result.output, attempts };
        }
        const { failure, cause } = result;
        attempts.push(attemptRecord(candidate, failure, latencyMs));
        if (cause === 'client') {
          health.recordAbandoned(candidate.info.id);
          return cancelled(attempts);
        }
        health.recordFailure(candidate.info.id, failure.kind);
        failures.push(failure);
        if (cause === 'deadline') return this.#timedOut(attempts);
        if (!failure.retryable || cause === 'attempt' || retry === plan.maxRetries) break;
        const wait = this.#retryWait(failure, retry);
        if (wait === undefined || clock.now() + wait >= deadline) break;
        try {
          await clock.sleep(wait, clientSignal);
        } catch {
          return cancelled(attempts);
        }
      }
    }
    return {
      type: 'failed',
      error: exhaustedError(failures, { attempts: attempts.map(embeddingAttemptToJson) }),
      attempts,
    };
  }

  async #attempt(
    candidate: EmbeddingCandidate,
    plan: EmbeddingRoutePlan,
    deadline: number,
    clientSignal: AbortSignal,
  ): Promise<
    | { ok: true; output: EmbeddingOutput }
    | { ok: false; failure: UpstreamError; cause: AbortCause | undefined }
  > {
    const { clock, settings } = this.deps;
    const controller = new AbortController();
    let cause: AbortCause | undefined;
    const abort = (why: AbortCause) => {
      cause ??= why;
      controller.abort(abortFailure(why, settings.ttftTimeoutMs));
    };
    const onClientAbort = () => abort('client');
    clientSignal.addEventListener('abort', onClientAbort, { once: true });
    const now = clock.now();
    const deadlineTimer = clock.setTimer(() => abort('deadline'), deadline - now);
    const attemptTimer = clock.setTimer(() => abort('attempt'), settings.ttftTimeoutMs);
    try {
      const output = await candidate.model.embed({ ...plan.call, signal: controller.signal });
      if (cause) return { ok: false, failure: abortFailure(cause, settings.ttftTimeoutMs), cause };
      if (output.vectors.length !== plan.call.inputs.length) {
        const failure = new UpstreamError({
          kind: 'incomplete',
          message: `the upstream answered ${output.vectors.length} vectors for ${plan.call.inputs.length} inputs`,
        });
        return { ok: false, failure, cause: undefined };
      }
      return { ok: true, output };
    } catch (error) {
      // When we aborted, our cause is the truth, whatever the adapter made of the abort.
      const failure = cause
        ? abortFailure(cause, settings.ttftTimeoutMs)
        : error instanceof UpstreamError
          ? error
          : new UpstreamError({ kind: 'network', message: 'the upstream connection failed' });
      return { ok: false, failure, cause };
    } finally {
      deadlineTimer.clear();
      attemptTimer.clear();
      clientSignal.removeEventListener('abort', onClientAbort);
    }
  }

  /** How long to wait before the next try, or undefined to move on to the next candidate. */
  #retryWait(failure: UpstreamError, retry: number): number | undefined {
    const backoff = backoffDelay(retry, this.deps.random);
    if (failure.retryAfterMs === undefined) return backoff;
    if (failure.retryAfterMs > this.deps.settings.maxRetryAfterMs) return undefined;
    return Math.max(backoff, failure.retryAfterMs);
  }

  #timedOut(attempts: EmbeddingAttempt[]): EmbeddingRouteOutcome {
    const error = new GatewayError(
      'upstream_timeout',
      `no complete answer within ${this.deps.settings.timeoutMs} ms`,
      { attempts: attempts.map(embeddingAttemptToJson) },
    );
    return { type: 'failed', error, attempts };
  }
}

const abortFailure = (cause: AbortCause, attemptMs: number): UpstreamError => {
  switch (cause) {
    case 'attempt':
      return new UpstreamError({ kind: 'timeout', message: `no answer within ${attemptMs} ms` });
    case 'deadline':
      return new UpstreamError({ kind: 'timeout', message: 'the request time limit passed' });
    case 'client':
      return new UpstreamError({ kind: 'network', message: 'the client went away' });
  }
};

const attemptRecord = (
  candidate: EmbeddingCandidate,
  failure: UpstreamError | undefined,
  latencyMs: number,
): EmbeddingAttempt => ({
  provider: candidate.info.provider,
  model: candidate.info.model,
  outcome: failure ? 'failed' : 'succeeded',
  errorKind: failure?.kind,
  status: failure?.status,
  message: failure?.message,
  latencyMs,
  // Set by the service on the answering attempt, once the usage is known.
  promptTokens: 0,
  costPico: 0,
});

const cancelled = (attempts: EmbeddingAttempt[]): EmbeddingRouteOutcome => ({
  type: 'failed',
  error: new GatewayError('client_closed', 'the client closed the request'),
  attempts,
});
