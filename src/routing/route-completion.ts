import type { ModelInfo } from '../catalog/model-info.js';
import { GatewayError } from '../core/gateway-error.js';
import type { DroppedParameter, GenerationOptions } from '../core/generation-options.js';
import type { ChatMessage, ProviderEcho } from '../core/messages.js';
import { UpstreamError, type UpstreamErrorKind } from '../core/upstream-error.js';
import type { Usage } from '../core/usage.js';
import type { FinishReason, LanguageModel, ProviderStreamPart, WebSource } from '../providers/provider.js';
import { type Attempt, attemptToJson } from './attempt.js';
import { backoffDelay } from './backoff.js';
import type { Clock, Timer } from './clock.js';
import type { HealthTracker } from './health-tracker.js';

/** An eligible model, ready to be tried. */
export interface Candidate {
  info: ModelInfo;
  model: LanguageModel;
  /** The request's options as this model's provider takes them (`fitParameters`). */
  options: GenerationOptions;
  /** What `options` lacks or changed from the request, for the answer to report. */
  droppedParameters: DroppedParameter[];
  /**
   * [search, issue 9] A candidate that searches natively gets the conversation without our
   * sources (instead of `plan.messages`) and asks its provider to search.
   */
  messages?: ChatMessage[] | undefined;
  search?: boolean | undefined;
}

export interface RoutePlan {
  /** Pool first (ranked), then fallbacks in order. */
  candidates: Candidate[];
  messages: ChatMessage[];
  maxRetries: number;
  /** `clock.now()` when the request arrived. */
  startedAt: number;
  /**
   * Whether the client sees the answer as it streams. When not, nothing is sent before the
   * finish, so a failure at any point of an attempt falls back like one before its first token.
   */
  streamed: boolean;
}

export interface RouterSettings {
  /** The whole request. */
  timeoutMs: number;
  /** Per attempt until the first token. */
  ttftTimeoutMs: number;
  /** The longest silence allowed between two chunks after the first token. */
  idleTimeoutMs: number;
  /** The longest upstream Retry-After that is waited for; a longer one moves on. */
  maxRetryAfterMs: number;
  /** Try the next candidate after a content-policy refusal, instead of answering it with 400. */
  contentFilterFallback: boolean;
}

/** The model that is answering, once its first text has been sent. */
export interface Commitment {
  candidate: Candidate;
  ttftMs: number;
}

type FinishEvent = {
  type: 'finish';
  candidate: Candidate;
  finishReason: FinishReason;
  usage: Usage | undefined;
  /** [search, issue 9] The pages the provider's own search reported. */
  sources: WebSource[];
  ttftMs: number;
  attempts: Attempt[];
};

/** What routing a request yields: `commit`, text, then exactly one `finish` or one `failed`. */
export type RouteEvent =
  | ({ type: 'commit' } & Commitment)
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string; echo: ProviderEcho | undefined }
  | {
      type: 'tool-call-delta';
      index: number;
      id: string | undefined;
      name: string | undefined;
      arguments: string;
      echo: ProviderEcho | undefined;
    }
  | FinishEvent
  | {
      type: 'failed';
      error: GatewayError;
      attempts: Attempt[];
      /** Set when text had already been sent: the answer so far must be kept. */
      committed: Commitment | undefined;
    };

type AbortCause = 'client' | 'ttft' | 'stall' | 'deadline';

type AttemptOutcome =
  | { outcome: 'finished'; record: Attempt; finish: Omit<FinishEvent, 'attempts'> }
  | {
      outcome: 'failed';
      record: Attempt;
      failure: UpstreamError;
      cause: AbortCause | undefined;
      committed: Commitment | undefined;
    };

/**
 * Tries candidates in order, retrying each on retryable failures with jittered backoff
 * (honouring Retry-After up to a cap), until one answers completely. Until the first text
 * is sent any failure moves on transparently; after it, a failure ends the route. A
 * non-streamed answer is sent only once it finished, so any failure of it moves on.
 * A silent upstream (no first token in time) is not retried, and a content-policy refusal
 * is the caller's answer unless `contentFilterFallback` is set.
 * Retries never nest: each candidate gets its own `maxRetries`, fallbacks included.
 */
export class Router {
  constructor(
    private readonly settings: RouterSettings,
    private readonly clock: Clock,
    readonly health: HealthTracker,
    private readonly random: () => number = Math.random,
  ) {}

  async *route(plan: RoutePlan, clientSignal: AbortSignal): AsyncGenerator<RouteEvent> {
    const deadline = plan.startedAt + this.settings.timeoutMs;
    const attempts: Attempt[] = [];
    const failures: UpstreamError[] = [];

    for (const candidate of plan.candidates) {
      for (let retry = 0; retry <= plan.maxRetries; retry++) {
        if (clientSignal.aborted) return yield cancelled(attempts, undefined);
        if (this.clock.now() >= deadline) return yield this.#timedOut(attempts);
        // The circuit may have opened since the candidates were chosen.
        if (!this.health.tryAcquire(candidate.info.id)) break;

        const attempt = yield* this.#attempt(candidate, plan, deadline, clientSignal);
        attempts.push(attempt.record);
        if (attempt.outcome === 'finished') return yield { ...attempt.finish, attempts };

        const { failure, cause, committed } = attempt;
        if (cause === 'client') {
          this.health.recordAbandoned(candidate.info.id);
          return yield cancelled(attempts, committed);
        }
        this.health.recordFailure(candidate.info.id, failure.kind);
        failures.push(failure);
        if (committed) {
          const error =
            cause === 'deadline'
              ? new GatewayError('upstream_timeout', 'the request took longer than its time limit')
              : new GatewayError('upstream_failed', `the upstream failed mid-answer: ${failure.message}`);
          return yield { type: 'failed', error, attempts, committed };
        }
        if (cause === 'deadline') return yield this.#timedOut(attempts);
        // The refusal is about the request: another model would be routing around the policy.
        if (failure.kind === 'content_filtered' && !this.settings.contentFilterFallback)
          return yield {
            type: 'failed',
            error: contentFiltered(failure, attempts),
            attempts,
            committed: undefined,
          };
        // A model that just sat out the whole TTFT deadline is the worst bet for the next try.
        if (!failure.retryable || cause === 'ttft' || retry === plan.maxRetries) break;

        const wait = this.#retryWait(failure, retry);
        if (wait === undefined || this.clock.now() + wait >= deadline) break;
        try {
          await this.clock.sleep(wait, clientSignal);
        } catch {
          return yield cancelled(attempts, undefined);
        }
      }
    }
    yield { type: 'failed', error: this.#exhausted(failures, attempts), attempts, committed: undefined };
  }

  /** One upstream try: yields its commit and text, returns how it ended. */
  async *#attempt(
    candidate: Candidate,
    plan: RoutePlan,
    deadline: number,
    clientSignal: AbortSignal,
  ): AsyncGenerator<RouteEvent, AttemptOutcome> {
    const { clock, settings } = this;
    const attemptStart = clock.now();
    const controller = new AbortController();
    let cause: AbortCause | undefined;
    const abort = (why: AbortCause) => {
      cause ??= why;
      // A typed reason, so that the adapter can end its stream with the real cause.
      controller.abort(this.#abortFailure(why));
    };
    const onClientAbort = () => abort('client');
    clientSignal.addEventListener('abort', onClientAbort, { once: true });
    const deadlineTimer = clock.setTimer(() => abort('deadline'), deadline - attemptStart);
    // One timer watches for silence: `ttftTimeoutMs` until the first token, `idleTimeoutMs`
    // between chunks after it. It is re-armed when it fires and once at the first token, never
    // on every chunk.
    let lastPartAt = attemptStart;
    /** From the request's arrival to this attempt's first token, once it came. */
    let ttftMs: number | undefined;
    let committed: Commitment | undefined;
    const watchSilence = (delay: number): Timer =>
      clock.setTimer(() => {
        const allowed = ttftMs === undefined ? settings.ttftTimeoutMs : settings.idleTimeoutMs;
        const silentFor = clock.now() - lastPartAt;
        if (silentFor >= allowed) abort(ttftMs === undefined ? 'ttft' : 'stall');
        else silenceTimer = watchSilence(allowed - silentFor);
      }, delay);
    let silenceTimer = watchSilence(Math.min(settings.ttftTimeoutMs, deadline - attemptStart));
    /** A non-streamed answer's events, held back until its finish. */
    const held: RouteEvent[] = [];
    /**
     * Hands a fragment of the answer on: at once (after the commit) when the answer is
     * streamed, else into `held`. The first one starts the idle deadline.
     */
    async function* send(event: RouteEvent): AsyncGenerator<RouteEvent> {
      if (ttftMs === undefined) {
        ttftMs = Math.round(lastPartAt - plan.startedAt);
        silenceTimer.clear();
        silenceTimer = watchSilence(settings.idleTimeoutMs);
      }
      if (!plan.streamed) {
        held.push(event);
        return;
      }
      if (!committed) {
        committed = { candidate, ttftMs };
        yield { type: 'commit', ...committed };
      }
      yield event;
    }
    let failure: UpstreamError | undefined;
    let finished = false;

    try {
      const stream = candidate.model.stream({
        ...candidate.options,
        messages: candidate.messages ?? plan.messages,
        search: candidate.search,
        signal: controller.signal,
      });
      for await (const part of stream) {
        lastPartAt = clock.now();
        if (
          part.type === 'text-delta' ||
          part.type === 'reasoning-delta' ||
          part.type === 'tool-call-delta'
        ) {
          // Empty fragments are no token; a tool call's first fragment (its name) is one.
          if (isEmptyFragment(part)) continue;
          yield* send(toRouteDelta(part));
        } else if (part.type === 'finish') {
          if (ttftMs === undefined) {
            failure = new UpstreamError({
              kind: 'incomplete',
              message: 'the upstream answered with no text',
            });
            break;
          }
          const record = this.#record(
            candidate,
            'succeeded',
            undefined,
            attemptStart,
            plan.startedAt,
            ttftMs,
          );
          this.health.recordSuccess(candidate.info.id, {
            ttftMs: record.ttftMs ?? 0,
            latencyMs: record.latencyMs,
            completionTokens: part.usage?.completionTokens ?? 0,
          });
          const finish = {
            type: 'finish' as const,
            candidate,
            finishReason: part.finishReason,
            usage: part.usage,
            sources: part.sources ?? [],
            ttftMs,
          };
          finished = true;
          if (!plan.streamed) {
            yield { type: 'commit', candidate, ttftMs };
            yield* held;
          }
          return { outcome: 'finished', record, finish };
        } else {
          failure = part.error;
          break;
        }
      }
      // When we aborted, our cause is the truth, whatever the stream made of the abort.
      failure = this.#abortFailure(cause) ?? failure ?? incompleteStream();
    } catch (error) {
      failure = this.#abortFailure(cause) ?? toUpstreamError(error);
    } finally {
      deadlineTimer.clear();
      silenceTimer.clear();
      clientSignal.removeEventListener('abort', onClientAbort);
      // Release an upstream request that is still open; a finished one needs nothing.
      if (!finished && !controller.signal.aborted) controller.abort(attemptOver);
    }
    // Cut after its first token, an attempt is incomplete, whether or not its text was sent.
    const outcome = ttftMs === undefined ? 'failed' : 'incomplete';
    const record = this.#record(candidate, outcome, failure, attemptStart, plan.startedAt, ttftMs);
    return { outcome: 'failed', record, failure, cause, committed };
  }

  /** How long to wait before the next try, or undefined to move on to the next candidate. */
  #retryWait(failure: UpstreamError, retry: number): number | undefined {
    const backoff = backoffDelay(retry, this.random);
    if (failure.retryAfterMs === undefined) return backoff;
    if (failure.retryAfterMs > this.settings.maxRetryAfterMs) return undefined;
    return Math.max(backoff, failure.retryAfterMs);
  }

  #abortFailure(cause: AbortCause | undefined): UpstreamError | undefined {
    const { ttftTimeoutMs, idleTimeoutMs } = this.settings;
    switch (cause) {
      case 'ttft':
        return new UpstreamError({ kind: 'timeout', message: `no first token within ${ttftTimeoutMs} ms` });
      case 'stall':
        return new UpstreamError({ kind: 'timeout', message: `the stream stalled for ${idleTimeoutMs} ms` });
      case 'deadline':
        return new UpstreamError({ kind: 'timeout', message: 'the request time limit passed' });
      case 'client':
        return new UpstreamError({ kind: 'network', message: 'the client went away' });
      default:
        return undefined;
    }
  }

  #record(
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
      latencyMs: Math.round(this.clock.now() - attemptStart),
      // Per attempt: from the attempt's start, not the request's.
      ttftMs:
        ttftMs === undefined ? undefined : Math.max(0, ttftMs - Math.round(attemptStart - requestStart)),
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
    if (failures.length === 0) {
      return new GatewayError(
        'upstream_failed',
        'no candidate could be tried: their circuits are open',
        details,
      );
    }
    if (failures.every((failure) => failure.kind === 'rate_limited')) {
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
    if (failures.every((failure) => failure.kind === 'timeout')) {
      return new GatewayError('upstream_timeout', 'every candidate timed out', details);
    }
    // Only reached with contentFilterFallback: every model refused, so the refusal stands.
    if (failures.every((failure) => failure.kind === 'content_filtered'))
      return contentFiltered(failures[0]!, attempts);
    if (failures.every((failure) => rejectedKinds.has(failure.kind))) {
      return new GatewayError(
        'upstream_rejected',
        `every candidate rejected the request: ${distinctReasons(failures)}`,
        details,
      );
    }
    return new GatewayError('upstream_failed', 'every candidate failed', details);
  }
}

/** No token: an empty text, or a tool call fragment with neither name nor arguments. */
const isEmptyFragment = (part: AnswerFragment): boolean =>
  part.type === 'tool-call-delta'
    ? part.arguments.length === 0 && !part.name
    : part.text.length === 0 && !(part.type === 'reasoning-delta' && part.echo);

type AnswerFragment = Extract<
  ProviderStreamPart,
  { type: 'text-delta' | 'reasoning-delta' | 'tool-call-delta' }
>;

/** A provider's fragment as the route yields it (optional fields made explicit). */
function toRouteDelta(part: AnswerFragment): RouteEvent {
  switch (part.type) {
    case 'text-delta':
      return part;
    case 'reasoning-delta':
      return { type: 'reasoning-delta', text: part.text, echo: part.echo };
    case 'tool-call-delta':
      return {
        type: 'tool-call-delta',
        index: part.index,
        id: part.id,
        name: part.name,
        arguments: part.arguments,
        echo: part.echo,
      };
  }
}

/** The provider's 400: the request itself is refused, and would be by a retry too. */
const rejectedKinds: ReadonlySet<UpstreamErrorKind> = new Set(['bad_request', 'context_length_exceeded']);

/** Each provider's reason once, in the order they came. */
const distinctReasons = (failures: UpstreamError[]): string =>
  [...new Set(failures.map((failure) => failure.message))].join('; ');

const contentFiltered = (failure: UpstreamError, attempts: Attempt[]): GatewayError =>
  new GatewayError(
    'content_filtered',
    `the provider refused the request under its content policy: ${failure.message}`,
    {
      attempts: attempts.map(attemptToJson),
    },
  );

const cancelled = (attempts: Attempt[], committed: Commitment | undefined): RouteEvent => ({
  type: 'failed',
  error: new GatewayError('client_closed', 'the client closed the request'),
  attempts,
  committed,
});

/** The reason an attempt's leftover upstream request is aborted with; shared, as it says nothing new. */
const attemptOver = new UpstreamError({ kind: 'network', message: 'the attempt is over' });

const incompleteStream = () =>
  new UpstreamError({ kind: 'incomplete', message: 'the upstream stream ended without finishing' });

function toUpstreamError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  return new UpstreamError({ kind: 'network', message: 'the upstream connection failed' });
}
