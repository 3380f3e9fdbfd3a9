import { computeCost } from '../catalog/cost.js';
import type { ChatMessage } from '../core/messages.js';
import { countMessageTokens, countTokens } from '../core/token-count.js';
import { UpstreamError } from '../core/upstream-error.js';
import type { Usage } from '../core/usage.js';
import type { ChoiceFinish, FinishReason, ProviderStreamPart, WebSource } from '../providers/provider.js';
import type { Attempt } from './attempt.js';
import type { Clock, Timer } from './clock.js';
import type { Candidate } from './route-plan.js';

/** Why the router stopped an attempt. `hedge`: another attempt produced its first token first. */
export type AbortCause = 'client' | 'ttft' | 'stall' | 'deadline' | 'hedge';

/** An attempt's fragment of the answer, in the router's terms. */
export type AnswerFragment = Extract<
  ProviderStreamPart,
  { type: 'text-delta' | 'reasoning-delta' | 'tool-call-delta' | 'choice-delta' }
>;

/** What pulling an attempt gives: a fragment, its finish, or its failure. */
export type AttemptStep =
  | { type: 'fragment'; fragment: AnswerFragment }
  | {
      type: 'finish';
      finishReason: FinishReason;
      usage: Usage | undefined;
      sources: WebSource[];
      otherChoices: ChoiceFinish[] | undefined;
    }
  | { type: 'failed'; failure: UpstreamError; cause: AbortCause | undefined };

export interface AttemptTimeouts {
  ttftTimeoutMs: number;
  idleTimeoutMs: number;
  /** `clock.now()` after which the whole request is over. */
  deadline: number;
}

/** No token: an empty text, or a tool-call fragment with neither name nor arguments. */
const isEmptyFragment = (part: AnswerFragment): boolean =>
  part.type === 'tool-call-delta'
    ? part.arguments.length === 0 && !part.name
    : part.text.length === 0 && !(part.type === 'reasoning-delta' && part.echo);

const noCost = { input: 0, output: 0, total: 0 };

/** The reason an attempt's leftover upstream request is aborted with; shared, as it says nothing new. */
const attemptOver = new UpstreamError({ kind: 'network', message: 'the attempt is over' });

/**
 * One upstream try, pulled one step at a time so that the router can race two of them
 * (hedging). It owns the attempt's deadlines: one timer watches for silence, `ttftTimeoutMs`
 * until the first token and `idleTimeoutMs` between chunks after it, re-armed when it fires
 * and once at the first token, never on every chunk; another bounds the whole request.
 */
export class UpstreamAttempt {
  readonly startedAt: number;
  /** From the request's arrival to this attempt's first token, once it came. */
  ttftMs: number | undefined;
  /** The text it produced, for the usage estimate of a cut answer. */
  #text = '';
  #cause: AbortCause | undefined;
  #ended = false;
  readonly #controller = new AbortController();
  readonly #iterator: AsyncIterator<ProviderStreamPart>;
  #lastPartAt: number;
  #silenceTimer: Timer;
  readonly #deadlineTimer: Timer;
  readonly #onClientAbort = () => this.abort('client');

  constructor(
    readonly candidate: Candidate,
    readonly messages: ChatMessage[],
    private readonly clock: Clock,
    private readonly timeouts: AttemptTimeouts,
    /** `clock.now()` at the request's arrival. */
    private readonly requestStart: number,
    private readonly clientSignal: AbortSignal,
    readonly role: { continuedAt?: number | undefined; hedged?: boolean | undefined } = {},
  ) {
    this.startedAt = clock.now();
    this.#lastPartAt = this.startedAt;
    clientSignal.addEventListener('abort', this.#onClientAbort, { once: true });
    this.#deadlineTimer = clock.setTimer(() => this.abort('deadline'), timeouts.deadline - this.startedAt);
    this.#silenceTimer = this.#watchSilence(
      Math.min(timeouts.ttftTimeoutMs, timeouts.deadline - this.startedAt),
    );
    this.#iterator = candidate.model
      .stream({
        ...candidate.options,
        messages,
        search: candidate.search,
        signal: this.#controller.signal,
      })
      [Symbol.asyncIterator]();
  }

  get cause(): AbortCause | undefined {
    return this.#cause;
  }

  /** Stops the attempt; its next step is the failure of that cause. */
  abort(cause: AbortCause): void {
    this.#cause ??= cause;
    // A typed reason, so that the adapter can end its stream with the real cause.
    if (!this.#controller.signal.aborted) this.#controller.abort(this.#abortFailure(cause));
  }

  /** The next step. After a `finish` or a `failed` there is none: the attempt is closed. */
  async next(): Promise<AttemptStep> {
    try {
      for (;;) {
        const result = await this.#iterator.next();
        this.#lastPartAt = this.clock.now();
        if (result.done) return this.#fail(undefined);
        const part = result.value;
        if (part.type === 'finish') {
          if (this.ttftMs === undefined)
            return this.#fail(
              new UpstreamError({ kind: 'incomplete', message: 'the upstream answered with no text' }),
            );
          this.#close(true);
          return {
            type: 'finish',
            finishReason: part.finishReason,
            usage: part.usage,
            sources: part.sources ?? [],
            otherChoices: part.otherChoices,
          };
        }
        if (part.type === 'error') return this.#fail(part.error);
        if (isEmptyFragment(part)) continue;
        if (this.ttftMs === undefined) this.#firstToken();
        // Every choice's text is billed: the estimate of a cut answer counts them all.
        if (part.type === 'text-delta' || part.type === 'choice-delta') this.#text += part.text;
        return { type: 'fragment', fragment: part };
      }
    } catch (error) {
      return this.#fail(error instanceof UpstreamError ? error : undefined, true);
    }
  }

  /** Closes an attempt that will not be pulled again (its upstream request is released). */
  dispose(): void {
    this.#close(false);
  }

  /** The attempt as recorded, with its usage (reported, or estimated when it was cut) and cost. */
  record(outcome: Attempt['outcome'], failure: UpstreamError | undefined, reported?: Usage): Attempt {
    const usage = reported ?? this.#estimatedUsage(outcome);
    return {
      provider: this.candidate.info.provider,
      model: this.candidate.info.model,
      outcome,
      errorKind: failure?.kind,
      status: failure?.status,
      message: failure?.message,
      latencyMs: Math.round(this.clock.now() - this.startedAt),
      // Per attempt: from the attempt's start, not the request's.
      ttftMs:
        this.ttftMs === undefined
          ? undefined
          : Math.max(0, this.ttftMs - Math.round(this.startedAt - this.requestStart)),
      usage,
      cost: usage ? computeCost(usage, this.candidate.info.prices) : noCost,
      continuedAt: this.role.continuedAt,
      hedged: this.role.hedged === true,
    };
  }

  /**
   * A failure before any token used nothing billable. An attempt that produced tokens (or
   * that we stopped after the upstream took the prompt: a lost hedge) is billed what it
   * probably used, counted by our tokenizer.
   */
  #estimatedUsage(outcome: Attempt['outcome']): Usage | undefined {
    if (this.ttftMs === undefined && outcome !== 'cancelled') return undefined;
    return {
      promptTokens: countMessageTokens(this.messages),
      completionTokens: countTokens(this.#text),
      reasoningTokens: 0,
      cachedTokens: 0,
      estimated: true,
    };
  }

  #firstToken(): void {
    this.ttftMs = Math.round(this.#lastPartAt - this.requestStart);
    this.#silenceTimer.clear();
    this.#silenceTimer = this.#watchSilence(this.timeouts.idleTimeoutMs);
  }

  #watchSilence(delay: number): Timer {
    return this.clock.setTimer(() => {
      const waiting = this.ttftMs === undefined;
      const allowed = waiting ? this.timeouts.ttftTimeoutMs : this.timeouts.idleTimeoutMs;
      const silentFor = this.clock.now() - this.#lastPartAt;
      if (silentFor >= allowed) this.abort(waiting ? 'ttft' : 'stall');
      else this.#silenceTimer = this.#watchSilence(allowed - silentFor);
    }, delay);
  }

  #fail(reported: UpstreamError | undefined, thrown = false): AttemptStep {
    this.#close(false);
    // When we aborted, our cause is the truth, whatever the stream made of the abort.
    const failure =
      this.#abortFailure(this.#cause) ??
      reported ??
      new UpstreamError(
        thrown
          ? { kind: 'network', message: 'the upstream connection failed' }
          : { kind: 'incomplete', message: 'the upstream stream ended without finishing' },
      );
    return { type: 'failed', failure, cause: this.#cause };
  }

  #close(finished: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#deadlineTimer.clear();
    this.#silenceTimer.clear();
    this.clientSignal.removeEventListener('abort', this.#onClientAbort);
    // Release an upstream request that is still open; a finished one needs nothing.
    if (!finished && !this.#controller.signal.aborted) this.#controller.abort(attemptOver);
    // Lets the adapter run its own clean-up (it waits for a pull still running, if any).
    void this.#iterator.return?.().catch(() => {});
  }

  #abortFailure(cause: AbortCause | undefined): UpstreamError | undefined {
    switch (cause) {
      case 'ttft':
        return new UpstreamError({
          kind: 'timeout',
          message: `no first token within ${this.timeouts.ttftTimeoutMs} ms`,
        });
      case 'stall':
        return new UpstreamError({
          kind: 'timeout',
          message: `the stream stalled for ${this.timeouts.idleTimeoutMs} ms`,
        });
      case 'deadline':
        return new UpstreamError({ kind: 'timeout', message: 'the request time limit passed' });
      case 'client':
        return new UpstreamError({ kind: 'network', message: 'the client went away' });
      case 'hedge':
        return new UpstreamError({ kind: 'network', message: 'another attempt answered first (hedge)' });
      default:
        return undefined;
    }
  }
}
