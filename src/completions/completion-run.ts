import { randomUUID } from 'node:crypto';
import type { CompletionRequest } from '../core/completion-request.js';
import { toGatewayError } from '../core/gateway-error.js';
import type { ActualUse, Admission } from '../limits/request-limiter.js';
import type { Clock } from '../routing/clock.js';
import type { RouteEvent, RoutePlan, Router } from '../routing/route-completion.js';
import type { Grounding } from '../search/ground-conversation.js';
import { nativeCitations } from '../search/native-citations.js';
import type { CompletionRecorder } from '../store/completion-recorder.js';
import { AnswerBuilder } from './answer-builder.js';
import { sumAttempts } from './attempt-ledger.js';
import type { CompletionEvent } from './completion-event.js';
import { buildCompletionRecord, type CompletionOutcome } from './completion-record.js';
import type { AnswerSource, CompletionResult } from './completion-result.js';
import type { CompletionContext, ConversationTarget } from './completion-service.js';

export interface CompletionRunDeps {
  router: Router;
  recorder: Pick<CompletionRecorder, 'record'>;
  clock: Clock;
}

/** Everything the service prepared before any upstream call. */
export interface PreparedCompletion {
  request: CompletionRequest;
  context: CompletionContext;
  conversation: ConversationTarget;
  plan: RoutePlan;
  admission: Admission;
  grounding: Grounding | undefined;
}

const nothingUsed: ActualUse = { tokens: 0, costPico: 0 };
/** The reason a run is cancelled with when its reader stops early; shared, as it says nothing new. */
const readerLeft = new Error('the reader stopped listening');

/**
 * One completion's life, from its admission to its settlement: it runs the route plan
 * with one cancellation signal, turns route events into what surfaces see, records the
 * outcome and settles the key's admission exactly once, however the run ends (done,
 * failed, cancelled by the client, or never started). Events are queued as the route
 * produces them and read through `events()`; a reader that stops early cancels the run,
 * which still ends the normal way and records what happened.
 */
export class CompletionRun implements AsyncIterable<CompletionEvent> {
  readonly #controller = new AbortController();
  readonly #answer = new AnswerBuilder();
  readonly #responseMessageId = randomUUID();
  #source: AnswerSource | undefined;
  #started = false;
  #settled = false;
  /** Resolves once the run has settled. */
  readonly settled: Promise<void>;
  #markSettled!: () => void;
  // A single-reader queue: the route never waits for the reader (as a socket write never does).
  readonly #queue: CompletionEvent[] = [];
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(
    private readonly deps: CompletionRunDeps,
    private readonly prepared: PreparedCompletion,
  ) {
    this.settled = new Promise((resolve) => {
      this.#markSettled = resolve;
    });
    const { signal } = prepared.context;
    if (signal.aborted) this.cancel(signal.reason);
    else signal.addEventListener('abort', () => this.cancel(signal.reason), { once: true });
  }

  /** The run's one cancellation signal: the client went away, or the reader stopped. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Stops the run: the upstream is aborted, and a run that never started is settled at once. */
  cancel(reason?: unknown): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
    if (!this.#started) {
      this.#close();
      void this.#settle(nothingUsed);
    }
  }

  /** Starts the run (once) and reads its events: fragments, then exactly one `done` or `error`. */
  events(): AsyncIterableIterator<CompletionEvent> {
    if (!this.#started && !this.#settled) {
      this.#started = true;
      void this.#drive();
    }
    const iterator: AsyncIterableIterator<CompletionEvent> = {
      next: () => this.#next(),
      // Resolves once the run has settled: the key's reservation is released by then.
      return: async () => {
        // A reader that has the final event leaves a settled run alone: there is nothing to stop.
        if (!this.#settled) this.cancel(readerLeft);
        await this.settled;
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  [Symbol.asyncIterator](): AsyncIterator<CompletionEvent> {
    return this.events();
  }

  async #next(): Promise<IteratorResult<CompletionEvent>> {
    for (;;) {
      const event = this.#queue.shift();
      if (event) return { done: false, value: event };
      if (this.#closed) return { done: true, value: undefined };
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #push(event: CompletionEvent): void {
    this.#queue.push(event);
    this.#wake?.();
    this.#wake = undefined;
  }

  #close(): void {
    this.#closed = true;
    this.#wake?.();
    this.#wake = undefined;
  }

  async #drive(): Promise<void> {
    try {
      for await (const event of this.deps.router.route(this.prepared.plan, this.#controller.signal)) {
        if (event.type === 'finish' || event.type === 'failed') {
          const final = this.#conclude(event);
          // Settled before the final event, so the key's next request sees the released budget.
          await this.#settle(final.used);
          this.#push(final.event);
        } else {
          const out = this.#fragment(event);
          if (out) this.#push(out);
        }
      }
    } catch (error) {
      // A bug, not an upstream failure: the answer ends in-band, the admission is released.
      await this.#settle(nothingUsed);
      this.#push({ type: 'error', error: toGatewayError(error), afterText: this.#source !== undefined });
    } finally {
      this.#close();
    }
  }

  async #settle(used: ActualUse): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    try {
      await this.prepared.admission.finish(used);
    } finally {
      this.#markSettled();
    }
  }

  /** A route fragment as the surfaces see it; the answer is assembled on the way. */
  #fragment(event: Exclude<RouteEvent, { type: 'finish' | 'failed' }>): CompletionEvent | undefined {
    const answer = this.#answer;
    switch (event.type) {
      case 'commit':
      case 'switch':
        this.#source = {
          provider: event.candidate.info.provider,
          model: event.candidate.info.model,
          responseMessageId: this.#responseMessageId,
          conversationId: this.prepared.conversation.id,
          droppedParameters: event.candidate.droppedParameters,
        };
        return undefined;
      case 'text-delta':
        answer.addText(event.text);
        if (event.logprobs) answer.addLogprobs(event.logprobs);
        return { type: 'text-delta', text: event.text, source: this.#source!, logprobs: event.logprobs };
      case 'choice-delta':
        answer.addChoiceText(event.choice, event.text, event.logprobs);
        return {
          type: 'choice-delta',
          choice: event.choice,
          text: event.text,
          logprobs: event.logprobs,
          source: this.#source!,
        };
      case 'reasoning-delta':
        answer.addReasoning(event.text, event.echo);
        return { type: 'reasoning-delta', text: event.text, echo: event.echo, source: this.#source! };
      case 'tool-call-delta':
        answer.addToolCall(event);
        return {
          type: 'tool-call-delta',
          index: event.index,
          id: event.id,
          name: event.name,
          arguments: event.arguments,
          source: this.#source!,
        };
    }
  }

  /** The final event, with the outcome recorded and what the key is charged. */
  #conclude(event: Extract<RouteEvent, { type: 'finish' | 'failed' }>): {
    event: CompletionEvent;
    used: ActualUse;
  } {
    const { request, context, conversation, grounding } = this.prepared;
    const searchCost = grounding?.cost ?? 0;
    const latencyMs = Math.round(this.deps.clock.now() - context.startedAt);
    const ledger = sumAttempts(event.attempts);
    const record = (outcome: CompletionOutcome) =>
      this.deps.recorder.record(
        buildCompletionRecord({ context, request, conversation, outcome, grounding }),
      );

    if (event.type === 'finish') {
      // [search, issue 9] A native search reports its own pages (its cost is in the provider's usage).
      const native = event.candidate.search ? nativeCitations(event.sources) : undefined;
      const completion: CompletionResult = {
        ...this.#source!,
        provider: event.candidate.info.provider,
        model: event.candidate.info.model,
        id: randomUUID(),
        conversationTitle: conversation.title,
        text: this.#answer.text,
        content: this.#answer.content(),
        finishReason: event.finishReason,
        droppedParameters: event.candidate.droppedParameters,
        usage: ledger.usage,
        cost: { ...ledger.cost, total: ledger.cost.total + searchCost },
        searchCost,
        citations: native?.citations ?? grounding?.citations ?? [],
        search: native?.report ?? grounding?.report,
        unpriced: event.candidate.info.prices === undefined,
        latencyMs,
        ttftMs: event.ttftMs,
        attempts: event.attempts,
        routing: this.prepared.plan.explanation,
        ...this.#answer.extras(request, event.otherChoices),
      };
      record({ kind: 'succeeded', completion });
      return { event: { type: 'done', completion }, used: actualUse(ledger, completion.cost.total) };
    }
    const partial = event.committed
      ? { ...event.committed, content: this.#answer.content(), usage: ledger.usage }
      : undefined;
    record({
      kind: 'failed',
      error: event.error,
      attempts: event.attempts,
      partial,
      responseMessageId: this.#responseMessageId,
      latencyMs,
    });
    return {
      event: { type: 'error', error: event.error, afterText: partial !== undefined },
      used: actualUse(ledger, ledger.cost.total + searchCost),
    };
  }
}

const actualUse = (ledger: ReturnType<typeof sumAttempts>, costPico: number): ActualUse => ({
  tokens: ledger.usage.promptTokens + ledger.usage.completionTokens,
  costPico,
});
