import type { ModelInfo } from '../catalog/model-info.js';
import { GatewayError } from '../core/gateway-error.js';
import type { ChatMessage } from '../core/messages.js';
import { UpstreamError } from '../core/upstream-error.js';
import type { Usage } from '../core/usage.js';
import type { FinishReason, LanguageModel } from '../providers/provider.js';
import { type Attempt, attemptToJson } from './attempt.js';
import { backoffDelay } from './backoff.js';
import type { Clock } from './clock.js';

/** An eligible model, ready to be tried. */
export interface Candidate {
  info: ModelInfo;
  model: LanguageModel;
}

export interface RoutePlan {
  /** Pool first (ranked), then fallbacks in order. */
  candidates: Candidate[];
  messages: ChatMessage[];
  temperature: number | undefined;
  maxTokens: number | undefined;
  maxRetries: number;
  /** `clock.now()` when the request arrived. */
  startedAt: number;
}

export interface RouterSettings {
  timeoutMs: number;
  ttftTimeoutMs: number;
  maxRetryAfterMs: number;
}

/** What routing a request yields: text, then one `finish` or one `failed`. */
export type RouteEvent =
  | { type: 'commit'; candidate: Candidate; ttftMs: number }
  | { type: 'text-delta'; text: string }
  | {
      type: 'finish';
      candidate: Candidate;
      finishReason: FinishReason;
      usage: Usage | undefined;
      ttftMs: number;
      attempts: Attempt[];
    }
  | {
      type: 'failed';
      error: GatewayError;
      attempts: Attempt[];
      /** Set when text had already been sent: the answer so far must be kept. */
      committed: { candidate: Candidate; ttftMs: number } | undefined;
    };

type AbortCause = 'client' | 'ttft' | 'deadline';

const elapsed = (clock: Clock, since: number) => Math.round(clock.now() - since);

/**
 * Tries candidates in order, retrying each on retryable failures with jittered backoff
 * (honouring Retry-After up to a cap), until one answers completely. Until the first text
 * is sent any failure moves on transparently; after it, a failure ends the route.
 */
export class Router {
  constructor(
    private readonly settings: RouterSettings,
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
  ) {}

  async *route(plan: RoutePlan, clientSignal: AbortSignal): AsyncGenerator<RouteEvent> {
    const { clock, settings } = this;
    const deadline = plan.startedAt + settings.timeoutMs;
    const attempts: Attempt[] = [];
    const failures: UpstreamError[] = [];

    for (const candidate of plan.candidates) {
      for (let retry = 0; retry <= plan.maxRetries; retry++) {
        if (clientSignal.aborted) return yield this.#cancelled(attempts);
        if (clock.now() >= deadline) return yield this.#timedOut(attempts);

        const attemptStart = clock.now();
        const controller = new AbortController();
        let cause: AbortCause | undefined;
        const abort = (why: AbortCause) => {
          cause ??= why;
          controller.abort(new Error(`aborted: ${why}`));
        };
        const onClientAbort = () => abort('client');
        clientSignal.addEventListener('abort', onClientAbort, { once: true });
        const deadlineTimer = setTimeout(() => abort('deadline'), deadline - attemptStart);
        let ttftTimer: NodeJS.Timeout | undefined = setTimeout(
          () => abort('ttft'),
          Math.min(settings.ttftTimeoutMs, deadline - attemptStart),
        );
        let ttftMs: number | undefined;
        let failure: UpstreamError | undefined;

        try {
          const stream = candidate.model.stream({
            messages: plan.messages,
            temperature: plan.temperature,
            maxTokens: plan.maxTokens,
            signal: controller.signal,
          });
          for await (const part of stream) {
            if (part.type === 'text-delta') {
              if (part.text.length === 0) continue;
              if (ttftMs === undefined) {
                clearTimeout(ttftTimer);
                ttftTimer = undefined;
                ttftMs = elapsed(clock, plan.startedAt);
                yield { type: 'commit', candidate, ttftMs };
              }
              yield { type: 'text-delta', text: part.text };
            } else if (part.type === 'finish') {
              if (ttftMs === undefined) {
                failure = new UpstreamError({
                  kind: 'incomplete',
                  message: 'the upstream answered with no text',
                });
                break;
              }
              attempts.push(
                this.#attempt(candidate, 'succeeded', undefined, attemptStart, plan.startedAt, ttftMs),
              );
              yield {
                type: 'finish',
                candidate,
                finishReason: part.finishReason,
                usage: part.usage,
                ttftMs,
                attempts,
              };
              return;
            } else {
              failure = part.error;
              break;
            }
          }
          failure ??= this.#abortFailure(cause) ?? incompleteStream();
        } catch (error) {
          failure = this.#abortFailure(cause) ?? toUpstreamError(error);
        } finally {
          clearTimeout(deadlineTimer);
          clearTimeout(ttftTimer);
          clientSignal.removeEventListener('abort', onClientAbort);
          controller.abort();
        }

        attempts.push(
          this.#attempt(
            candidate,
            ttftMs === undefined ? 'failed' : 'incomplete',
            failure,
            attemptStart,
            plan.startedAt,
            ttftMs,
          ),
        );
        const committed = ttftMs === undefined ? undefined : { candidate, ttftMs };
        if (cause === 'client') return yield this.#cancelled(attempts, committed);
        failures.push(failure);
        if (committed) {
          const error =
            cause === 'deadline'
              ? new GatewayError('upstream_timeout', 'the request took longer than its time limit')
              : new GatewayError('upstream_failed', `the upstream failed mid-answer: ${failure.message}`);
          return yield { type: 'failed', error, attempts, committed };
        }
        if (cause === 'deadline') return yield this.#timedOut(attempts);
        if (!failure.retryable || retry === plan.maxRetries) break;

        const wait = this.#retryWait(failure, retry);
        if (wait === undefined || clock.now() + wait >= deadline) break;
        try {
          await clock.sleep(wait, clientSignal);
        } catch {
          return yield this.#cancelled(attempts);
        }
      }
    }
    yield { type: 'failed', error: this.#exhausted(failures, attempts), attempts, committed: undefined };
  }

  /** How long to wait before the next try, or undefined to move on to the next candidate. */
  #retryWait(failure: UpstreamError, retry: number): number | undefined {
    const backoff = backoffDelay(retry, this.random);
    if (failure.retryAfterMs === undefined) return backoff;
    if (failure.retryAfterMs > this.settings.maxRetryAfterMs) return undefined;
    return Math.max(backoff, failure.retryAfterMs);
  }

  #abortFailure(cause: AbortCause | undefined): UpstreamError | undefined {
    if (cause === 'ttft') {
      return new UpstreamError({
        kind: 'timeout',
        message: `no first token within ${this.settings.ttftTimeoutMs} ms`,
      });
    }
    if (cause === 'deadline')
      return new UpstreamError({ kind: 'timeout', message: 'the request time limit passed' });
    if (cause === 'client') return new UpstreamError({ kind: 'network', message: 'the client went away' });
    return undefined;
  }

  #attempt(
    candidate: Candidate,
    outcome: Attempt['outcome'],
    failure: UpstreamError | undefined,
    attemptStart: number,
    requestStart: number,
    ttftMs: number | undefined,
  ): Attempt {
    return {
      provider: candidate.info.provider,
      model: candidate.info.model,
      outcome,
      errorKind: failure?.kind,
      status: failure?.status,
      message: failure?.message,
      latencyMs: elapsed(this.clock, attemptStart),
      ttftMs: ttftMs === undefined ? undefined : ttftMs - Math.round(attemptStart - requestStart),
    };
  }

  #cancelled(attempts: Attempt[], committed?: { candidate: Candidate; ttftMs: number }): RouteEvent {
    return {
      type: 'failed',
      error: new GatewayError('client_closed', 'the client closed the request'),
      attempts,
      committed,
    };
  }

  #timedOut(attempts: Attempt[]): RouteEvent {
    return {
      type: 'failed',
      error: new GatewayError('upstream_timeout', `no complete answer within ${this.settings.timeoutMs} ms`, {
        attempts: attempts.map(attemptToJson),
      }),
      attempts,
      committed: undefined,
    };
  }

  #exhausted(failures: UpstreamError[], attempts: Attempt[]): GatewayError {
    const details = { attempts: attempts.map(attemptToJson) };
    if (failures.length > 0 && failures.every((failure) => failure.kind === 'rate_limited')) {
      const waits = failures.map((failure) => failure.retryAfterMs).filter((ms) => ms !== undefined);
      const retryAfterSeconds =
        waits.length > 0 ? Math.max(1, Math.ceil(Math.min(...waits) / 1000)) : undefined;
      return new GatewayError(
        'rate_limited',
        'every candidate was rate limited upstream',
        details,
        retryAfterSeconds,
      );
    }
    if (failures.length > 0 && failures.every((failure) => failure.kind === 'timeout')) {
      return new GatewayError('upstream_timeout', 'every candidate timed out', details);
    }
    return new GatewayError('upstream_failed', 'every candidate failed', details);
  }
}

const incompleteStream = () =>
  new UpstreamError({ kind: 'incomplete', message: 'the upstream stream ended without finishing' });

function toUpstreamError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  return new UpstreamError({ kind: 'network', message: 'the upstream connection failed' });
}
