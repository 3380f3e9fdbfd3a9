import { GatewayError } from '../core/gateway-error.js';
import type { TokenLogprob } from '../core/logprobs.js';
import type { ProviderEcho } from '../core/messages.js';
import type { UpstreamError } from '../core/upstream-error.js';
import type { Usage } from '../core/usage.js';
import type { ChoiceFinish, FinishReason, WebSource } from '../providers/provider.js';
import { type Attempt, attemptToJson } from './attempt.js';
import { backoffDelay } from './backoff.js';
import type { Clock } from './clock.js';
import { type ContinuationForm, continuationMessages, OverlapTrimmer } from './continuation.js';
import { exhaustedError, rejectedKinds } from './exhausted-error.js';
import type { HealthTracker } from './health-tracker.js';
import type { Candidate, RoutePlan } from './route-plan.js';
import { type AnswerFragment, type AttemptStep, UpstreamAttempt } from './upstream-attempt.js';

export type { Candidate, RoutePlan } from './route-plan.js';

/** Starting a second attempt beside a slow one (SPEC §9). */
export interface HedgeSettings {
  enabled: boolean;
  /** When the running model has no observed p95 time to first token yet; none: no hedge then. */
  afterMs?: number | undefined;
  /** Attempts running at once; 1 turns hedging off. */
  maxParallel: number;
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
  /** After the first token, a retryable failure continues the answer on the next candidate, or ends it. */
  midStream?: 'continue' | 'fail' | undefined;
  /** At most this many switches per answer. */
  maxContinuations?: number | undefined;
  hedge?: HedgeSettings | undefined;
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
  /** The finishing attempt's usage as its upstream reported it. */
  usage: Usage | undefined;
  /** [search, issue 9] The pages the provider's own search reported. */
  sources: WebSource[];
  /** How the other choices ended, when several were asked for. */
  otherChoices: ChoiceFinish[] | undefined;
  ttftMs: number;
  /** Every attempt, each with its own usage and cost: the answer is billed their sum. */
  attempts: Attempt[];
};

/**
 * What routing a request yields: `commit`, the answer's fragments (with a `switch` where
 * another model continues a cut answer), then exactly one `finish` or one `failed`.
 */
export type RouteEvent =
  | ({ type: 'commit' } & Commitment)
  | { type: 'switch'; candidate: Candidate }
  | { type: 'text-delta'; text: string; logprobs?: TokenLogprob[] | undefined }
  /** Another choice's text (`options.choices` > 1): it rides along, never continued. */
  | { type: 'choice-delta'; choice: number; text: string; logprobs?: TokenLogprob[] | undefined }
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

/** How one attempt ended, once it had its turn. */
type AttemptEnd = { type: 'finished' } | { type: 'failed'; failure: UpstreamError; attempt: UpstreamAttempt };

/** The state of one answer across its attempts. */
interface AnswerState {
  attempts: Attempt[];
  failures: UpstreamError[];
  /** The text the client has been sent. */
  sent: string;
  /** A tool call was sent: such an answer is not continued. */
  sentToolCall: boolean;
  committed: Commitment | undefined;
  continuations: number;
}

/**
 * Tries candidates in order, retrying each on retryable failures with jittered backoff
 * (honouring Retry-After up to a cap), until one answers completely. Until the first text
 * is sent any failure moves on transparently; after it, a retryable failure continues the
 * same answer on the next candidate (`midStream`), up to `maxContinuations` switches. A
 * non-streamed answer is sent only once it finished, so any failure of it moves on. A
 * silent upstream (no first token in time) is not retried, a content-policy refusal is the
 * caller's answer unless `contentFilterFallback` is set, and with hedging a slow first token
 * starts the next candidate beside it. Retries never nest: each candidate gets its own
 * `maxRetries`, fallbacks included.
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
    const answer: AnswerState = {
      attempts: [],
      failures: [],
      sent: '',
      sentToolCall: false,
      committed: undefined,
      continuations: 0,
    };
    const { candidates } = plan;
    /** A continuation's form for the candidate being tried. */
    let form: ContinuationForm | undefined;

    for (let index = 0; index < candidates.length; index++) {
      let candidate = candidates[index]!;
      form = undefined;
      for (let retry = 0; retry <= plan.maxRetries; retry++) {
        if (clientSignal.aborted) return yield cancelled(answer);
        if (this.clock.now() >= deadline) return yield this.#timedOut(answer);
        // The circuit may have opened since the candidates were chosen.
        if (!this.health.tryAcquire(candidate.info.id)) break;

        if (answer.committed) form ??= candidate.model.continuesPrefill ? 'prefill' : 'instruction';
        let attempt = this.#start(candidate, plan, deadline, clientSignal, answer, form);
        let first: AttemptStep;
        if (!answer.committed && this.#hedgeDelay(candidate) !== undefined && candidates[index + 1]) {
          const raced = await this.#race(
            attempt,
            candidates[index + 1]!,
            plan,
            deadline,
            clientSignal,
            answer,
          );
          if (raced.attempt !== attempt) {
            // The hedge won: the loop goes on from its candidate.
            index++;
            retry = 0;
            candidate = raced.attempt.candidate;
          }
          attempt = raced.attempt;
          first = raced.first;
        } else {
          first = await attempt.next();
        }
        const end = yield* this.#follow(attempt, first, plan, answer);
        if (end.type === 'finished') return;

        const { failure } = end;
        const cause = attempt.cause;
        if (cause === 'client') {
          this.health.recordAbandoned(candidate.info.id);
          return yield cancelled(answer);
        }
        this.health.recordFailure(candidate.info.id, failure.kind);
        answer.failures.push(failure);
        if (cause === 'deadline') return yield this.#timedOut(answer);
        if (answer.committed && attempt.ttftMs !== undefined) {
          // Cut after some of the answer: the next candidate continues it, or the answer ends.
          if (!this.#continues(failure, answer, attempt)) return yield midAnswerFailure(failure, answer);
          answer.continuations++;
          break;
        }
        // A prefill the model refused: the same model may take the instruction form.
        if (form === 'prefill' && rejectedKinds.has(failure.kind)) {
          form = 'instruction';
          retry--;
          continue;
        }
        // The refusal is about the request: another model would be routing around the policy.
        if (failure.kind === 'content_filtered' && !this.settings.contentFilterFallback)
          return yield {
            type: 'failed',
            error: contentFiltered(failure, answer.attempts),
            ...closing(answer),
          };
        // A model that just sat out the whole TTFT deadline is the worst bet for the next try.
        if (!failure.retryable || cause === 'ttft' || retry === plan.maxRetries) break;

        const wait = this.#retryWait(failure, retry);
        if (wait === undefined || this.clock.now() + wait >= deadline) break;
        try {
          await this.clock.sleep(wait, clientSignal);
        } catch {
          return yield cancelled(answer);
        }
      }
    }
    if (answer.committed) return yield midAnswerFailure(answer.failures.at(-1), answer);
    yield {
      type: 'failed',
      error: this.#exhausted(answer.failures, answer.attempts),
      attempts: answer.attempts,
      committed: undefined,
    };
  }

  #start(
    candidate: Candidate,
    plan: RoutePlan,
    deadline: number,
    clientSignal: AbortSignal,
    answer: AnswerState,
    form: ContinuationForm | undefined,
    hedged = false,
  ): UpstreamAttempt {
    const base = candidate.messages ?? plan.messages;
    const continuing = answer.committed !== undefined && form !== undefined;
    return new UpstreamAttempt(
      candidate,
      continuing ? continuationMessages(base, answer.sent, form) : base,
      this.clock,
      { ttftTimeoutMs: this.settings.ttftTimeoutMs, idleTimeoutMs: this.settings.idleTimeoutMs, deadline },
      plan.startedAt,
      clientSignal,
      { continuedAt: continuing ? answer.sent.length : undefined, hedged },
    );
  }

  /**
   * Until `attempt` has its first token, starts `next` beside it once the wait passes the
   * running model's p95 time to first token (or `hedge.afterMs`). The first to produce a
   * token wins; the other is stopped at once and recorded as cancelled. When one fails
   * before its first token, the other goes on alone.
   */
  async #race(
    attempt: UpstreamAttempt,
    next: Candidate,
    plan: RoutePlan,
    deadline: number,
    clientSignal: AbortSignal,
    answer: AnswerState,
  ): Promise<{ attempt: UpstreamAttempt; first: AttemptStep }> {
    const delay = this.#hedgeDelay(attempt.candidate)!;
    const pending = attempt.next();
    let timer: { clear(): void } | undefined;
    const hedgeTime = new Promise<'hedge'>((resolve) => {
      timer = this.clock.setTimer(() => resolve('hedge'), delay);
    });
    const early = await Promise.race([pending, hedgeTime]);
    timer?.clear();
    if (early !== 'hedge') return { attempt, first: early };
    if (!this.health.tryAcquire(next.info.id)) return { attempt, first: await pending };

    const hedge = this.#start(next, plan, deadline, clientSignal, answer, undefined, true);
    const hedgePending = hedge.next();
    const [winner, step] = await Promise.race([
      pending.then((result) => [attempt, result] as const),
      hedgePending.then((result) => [hedge, result] as const),
    ]);
    const [other, otherPending] = winner === attempt ? [hedge, hedgePending] : [attempt, pending];
    if (step.type !== 'failed') {
      this.#cancel(other, answer);
      return { attempt: winner, first: step };
    }
    // It failed before its first token: recorded (not retried), and the other runs on alone.
    answer.attempts.push(winner.record('failed', step.failure));
    this.health.recordFailure(winner.candidate.info.id, step.failure.kind);
    answer.failures.push(step.failure);
    return { attempt: other, first: await otherPending };
  }

  /** A hedge loser: stopped at once, recorded with what it probably used. */
  #cancel(loser: UpstreamAttempt, answer: AnswerState): void {
    loser.abort('hedge');
    loser.dispose();
    answer.attempts.push(loser.record('cancelled', undefined));
    this.health.recordAbandoned(loser.candidate.info.id);
  }

  /** How long to wait for a first token before hedging; undefined when there is no hedge. */
  #hedgeDelay(candidate: Candidate): number | undefined {
    const hedge = this.settings.hedge;
    if (!hedge?.enabled || hedge.maxParallel < 2) return undefined;
    return this.health.snapshot(candidate.info.id).ttftP95Ms ?? hedge.afterMs;
  }

  /**
   * Streams one attempt's answer from its first step: the commit and fragments (held back
   * until the finish when the answer is not streamed; trimmed of any repeat when it
   * continues a cut answer), then the finish. Returns how the attempt ended.
   */
  async *#follow(
    attempt: UpstreamAttempt,
    first: AttemptStep,
    plan: RoutePlan,
    answer: AnswerState,
  ): AsyncGenerator<RouteEvent, AttemptEnd> {
    const { candidate } = attempt;
    // A non-streamed answer is held until it is whole; its text as one piece, not one event per chunk.
    const held: RouteEvent[] = [];
    let heldText = '';
    const hold = (event: RouteEvent) => {
      if (heldText) held.push({ type: 'text-delta', text: heldText });
      heldText = '';
      held.push(event);
    };
    const trimmer = answer.committed ? new OverlapTrimmer(answer.sent) : undefined;
    let switched = false;
    const emit = function* (event: RouteEvent): Generator<RouteEvent> {
      if (!plan.streamed) {
        hold(event);
        return;
      }
      if (!answer.committed) {
        answer.committed = { candidate, ttftMs: attempt.ttftMs! };
        yield { type: 'commit', ...answer.committed };
      } else if (!switched && trimmer) {
        switched = true;
        yield { type: 'switch', candidate };
      }
      if (event.type === 'text-delta') answer.sent += event.text;
      else if (event.type === 'tool-call-delta') answer.sentToolCall = true;
      yield event;
    };
    const release = function* (text: string): Generator<RouteEvent> {
      if (text) yield* emit({ type: 'text-delta', text });
    };

    for (let step = first; ; step = await attempt.next()) {
      if (step.type === 'fragment') {
        const { fragment } = step;
        if (!plan.streamed) {
          if (fragment.type === 'text-delta' && !fragment.logprobs) heldText += fragment.text;
          else hold(toRouteEvent(fragment));
          continue;
        }
        if (answer.committed && plan.streamed && (switched || !trimmer)) {
          // The hot path: a fragment of an answer already under way, passed straight on.
          if (fragment.type === 'text-delta' && !trimmer) {
            answer.sent += fragment.text;
            yield fragment;
            continue;
          }
          if (fragment.type === 'tool-call-delta') answer.sentToolCall = true;
        }
        if (fragment.type === 'text-delta' && trimmer) yield* release(trimmer.push(fragment.text));
        else {
          if (trimmer) yield* release(trimmer.flush());
          yield* emit(toRouteEvent(fragment));
        }
        continue;
      }
      if (step.type === 'failed') {
        const outcome = attempt.ttftMs === undefined ? 'failed' : 'incomplete';
        answer.attempts.push(attempt.record(outcome, step.failure));
        return { type: 'failed', failure: step.failure, attempt };
      }
      if (trimmer) yield* release(trimmer.flush());
      const record = attempt.record('succeeded', undefined, step.usage);
      answer.attempts.push(record);
      this.health.recordSuccess(candidate.info.id, {
        ttftMs: record.ttftMs ?? 0,
        latencyMs: record.latencyMs,
        completionTokens: step.usage?.completionTokens ?? 0,
      });
      if (!plan.streamed) {
        answer.committed = { candidate, ttftMs: attempt.ttftMs! };
        yield { type: 'commit', ...answer.committed };
        if (heldText) held.push({ type: 'text-delta', text: heldText });
        yield* held;
      }
      yield {
        type: 'finish',
        candidate,
        finishReason: step.finishReason,
        usage: step.usage,
        sources: step.sources,
        otherChoices: step.otherChoices,
        ttftMs: answer.committed!.ttftMs,
        attempts: answer.attempts,
      };
      return { type: 'finished' };
    }
  }

  /** Whether a failure after the first token goes on with another model. */
  #continues(failure: UpstreamError, answer: AnswerState, attempt: UpstreamAttempt): boolean {
    return (
      (this.settings.midStream ?? 'continue') === 'continue' &&
      failure.retryable &&
      attempt.cause !== 'deadline' &&
      !answer.sentToolCall &&
      !ridesAlong(attempt.candidate.options) &&
      answer.continuations < (this.settings.maxContinuations ?? 2)
    );
  }

  /** How long to wait before the next try, or undefined to move on to the next candidate. */
  #retryWait(failure: UpstreamError, retry: number): number | undefined {
    const backoff = backoffDelay(retry, this.random);
    if (failure.retryAfterMs === undefined) return backoff;
    if (failure.retryAfterMs > this.settings.maxRetryAfterMs) return undefined;
    return Math.max(backoff, failure.retryAfterMs);
  }

  #timedOut(answer: AnswerState): RouteEvent {
    if (answer.committed)
      return midAnswerFailure(undefined, answer, 'the request took longer than its time limit');
    return {
      type: 'failed',
      error: new GatewayError('upstream_timeout', `no complete answer within ${this.settings.timeoutMs} ms`, {
        attempts: answer.attempts.map(attemptToJson),
      }),
      attempts: answer.attempts,
      committed: undefined,
    };
  }

  #exhausted(failures: UpstreamError[], attempts: Attempt[]): GatewayError {
    // Only reached with contentFilterFallback: every model refused, so the refusal stands.
    if (failures.length > 0 && failures.every((failure) => failure.kind === 'content_filtered'))
      return contentFiltered(failures[0]!, attempts);
    return exhaustedError(failures, { attempts: attempts.map(attemptToJson) });
  }
}

/** A provider's fragment as the route yields it (optional fields made explicit). */
function toRouteEvent(part: AnswerFragment): RouteEvent {
  switch (part.type) {
    case 'text-delta':
    case 'choice-delta':
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

/**
 * Log probabilities or other choices were asked for: another model cannot continue such an
 * answer (its tokens' probabilities would be another model's; the other choices cannot be resumed).
 */
const ridesAlong = (options: Candidate['options']): boolean =>
  options.logprobs !== undefined || (options.choices !== undefined && options.choices > 1);

const closing = (answer: AnswerState) => ({ attempts: answer.attempts, committed: answer.committed });

/** A cut answer that no candidate could continue: the in-band error, the partial answer kept. */
function midAnswerFailure(
  failure: UpstreamError | undefined,
  answer: AnswerState,
  timedOut?: string,
): RouteEvent {
  const error = timedOut
    ? new GatewayError('upstream_timeout', timedOut)
    : new GatewayError(
        'upstream_failed',
        `the upstream failed mid-answer: ${failure?.message ?? 'no candidate left'}`,
      );
  return { type: 'failed', error, ...closing(answer) };
}

const cancelled = (answer: AnswerState): RouteEvent => ({
  type: 'failed',
  error: new GatewayError('client_closed', 'the client closed the request'),
  ...closing(answer),
});

/** The provider refused the request under its content policy: the caller's answer, 400. */
const contentFiltered = (failure: UpstreamError, attempts: Attempt[]) =>
  new GatewayError(
    'content_filtered',
    `the provider refused the request under its content policy: ${failure.message}`,
    { attempts: attempts.map(attemptToJson) },
  );
