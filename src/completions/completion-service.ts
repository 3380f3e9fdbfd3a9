import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { computeCost } from '../catalog/cost.js';
import type { ModelCatalog } from '../catalog/model-catalog.js';
import type { RoutingStrategy } from '../config/config-schema.js';
import type { CompletionRequest } from '../core/completion-request.js';
import { GatewayError } from '../core/gateway-error.js';
import type { ChatMessage } from '../core/messages.js';
import { countMessageTokens, countTokens } from '../core/token-count.js';
import { checkToolResults } from '../core/tool-results.js';
import type { Usage } from '../core/usage.js';
import type { RateLimitState } from '../limits/rate-limit-state.js';
import { requestBounds } from '../limits/request-bounds.js';
import type { ActualUse, Admission, RequestLimiter } from '../limits/request-limiter.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { Clock } from '../routing/clock.js';
import { PromptSize } from '../routing/prompt-size.js';
import { rankCandidates, typicalOutputTokens } from '../routing/rank-candidates.js';
import type { Candidate, RouteEvent, Router } from '../routing/route-completion.js';
import { selectCandidates } from '../routing/select-candidates.js';
import type { Grounding } from '../search/ground-conversation.js';
import { nativeCitations } from '../search/native-citations.js';
import type { WebSearch } from '../search/web-search.js';
import type { CompletionRecorder } from '../store/completion-recorder.js';
import type { ConversationStore } from '../store/conversation-store.js';
import { AnswerBuilder } from './answer-builder.js';
import type { CompletionEvent } from './completion-event.js';
import { buildCompletionRecord, type CompletionOutcome } from './completion-record.js';
import type { AnswerSource, CompletionResult } from './completion-result.js';
import { titleFromMessages } from './conversation-title.js';

export interface CompletionServiceDeps {
  catalog: ModelCatalog;
  registry: ProviderRegistry;
  router: Router;
  conversations: ConversationStore;
  recorder: CompletionRecorder;
  clock: Clock;
  /** The server's strategy when a request names none. */
  defaultStrategy: RoutingStrategy;
  /** Web search grounding (issue 9); absent: `search: true` finds no eligible model. */
  search?: WebSearch | undefined;
  /** Per-key rate, concurrency and budget limits. */
  limiter: RequestLimiter;
}

export interface CompletionContext {
  principal: Principal;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** `clock.now()` when the request arrived. */
  startedAt: number;
  /** Wall-clock arrival, for stored timestamps. */
  receivedAt: Date;
  /**
   * Hears the key's rate-limit windows once they are counted (before a 429 is thrown, too),
   * so the surface can send them as headers (`restRateLimitHeaders`, `openAiRateLimitHeaders`).
   */
  onRateLimit?: (state: RateLimitState) => void;
}

/** The conversation a completion belongs to. */
export interface ConversationTarget {
  id: string;
  title: string;
  isNew: boolean;
  history: ChatMessage[];
}

/**
 * The one completion path every surface uses: resolve the conversation, choose the
 * candidates, route, and record the outcome without delaying the answer.
 */
export class CompletionService {
  constructor(private readonly deps: CompletionServiceDeps) {}

  /**
   * Checks what can be checked before any upstream call (allowlist, conversation,
   * eligibility, the key's rate limits and budget) and throws a GatewayError when the
   * request cannot go ahead; otherwise returns the events. The caller must iterate them to
   * the end (or `return()` them): that is what releases the key's reservation.
   */
  async start(
    request: CompletionRequest,
    context: CompletionContext,
  ): Promise<AsyncGenerator<CompletionEvent>> {
    const conversation = await this.#resolveConversation(request, context.principal);
    const messages = [...conversation.history, ...request.messages];
    checkToolResults(messages, conversation.history.length);
    const prompt = new PromptSize(messages);
    const { router, catalog, registry } = this.deps;
    const { pool, fallbacks } = selectCandidates(
      {
        models: request.models,
        fallbackModels: request.fallbackModels,
        messages,
        prompt,
        allowedModels: context.principal.limits?.allowedModels,
        options: request,
        search: request.search,
        // [search, issue 9]
        searchUnavailable: this.deps.search && ((info) => this.deps.search!.unavailableReason(info)),
      },
      catalog,
      registry,
      router.health,
    );
    const ranked = rankCandidates(
      pool,
      request.strategy ?? this.deps.defaultStrategy,
      (modelId) => router.health.estimate(modelId),
      { promptTokens: prompt.approxTokens, expectedOutputTokens: request.maxTokens ?? typicalOutputTokens },
    );
    const candidates = [...ranked, ...fallbacks];
    // Tokenised only for keys that have limits: the bounds are computed lazily.
    const admission = await this.deps.limiter.admit(
      context.principal,
      () =>
        requestBounds(
          candidates.map((candidate) => candidate.info),
          prompt.exactTokens,
          request.maxTokens,
        ),
      context.onRateLimit,
    );
    // [search, issue 9] How each candidate searches: natively (its provider's own search, on
    // the conversation as it is) or with the backend's sources.
    const search = request.search ? this.deps.search : undefined;
    const methods = candidates.map((candidate) => search?.methodFor(candidate.info));
    let grounding: Grounding | undefined;
    try {
      // [search, issue 9] Ground once, after eligibility and admission (a refused request pays
      // for no search) and before routing, so that every candidate, fallbacks included, gets
      // the same sources; only when some candidate searches through the backend. The stored
      // turns stay the user's own.
      grounding = methods.includes('backend') ? await search?.ground(messages, context.signal) : undefined;
    } catch (error) {
      await admission.finish(nothingUsed);
      throw error;
    }
    const routed = candidates.map((candidate, position) =>
      methods[position] === 'native' ? { ...candidate, messages, search: true } : candidate,
    );
    return releaseIfNeverStarted(
      this.#run(
        request,
        context,
        conversation,
        grounding?.messages ?? messages,
        routed,
        grounding,
        admission,
      ),
      admission,
      context.signal,
    );
  }

  async #resolveConversation(request: CompletionRequest, principal: Principal): Promise<ConversationTarget> {
    if (!request.conversationId) {
      return { id: randomUUID(), title: titleFromMessages(request.messages), isNew: true, history: [] };
    }
    // A conversation answered a moment ago may still be in the write queue.
    await this.deps.recorder.whenIdle();
    const stored = await this.deps.conversations.load(request.conversationId, principal);
    if (!stored) throw new GatewayError('not_found', `conversation ${request.conversationId} was not found`);
    return { id: stored.id, title: stored.title, isNew: false, history: stored.messages };
  }

  async *#run(
    request: CompletionRequest,
    context: CompletionContext,
    conversation: ConversationTarget,
    messages: ChatMessage[],
    candidates: Candidate[],
    grounding: Grounding | undefined,
    admission: Admission,
  ): AsyncGenerator<CompletionEvent> {
    const { clock, recorder } = this.deps;
    const responseMessageId = randomUUID();
    let source: AnswerSource | undefined;
    const answer = new AnswerBuilder();
    let recorded = false;
    /** What to settle the key's admission to, known once the outcome is recorded. */
    let used: ActualUse = nothingUsed;
    const estimateUsage = (): Usage => ({
      promptTokens: countMessageTokens(messages),
      completionTokens: countTokens(answer.text),
      reasoningTokens: 0,
      cachedTokens: 0,
      estimated: true,
    });
    const latencyMs = () => Math.round(clock.now() - context.startedAt);
    const record = (outcome: CompletionOutcome) => {
      recorded = true;
      recorder.record(buildCompletionRecord({ context, request, conversation, outcome, grounding }));
    };

    /** Turns a route event into what the surface sees, recording the outcome once. */
    const handle = (event: RouteEvent): CompletionEvent | undefined => {
      switch (event.type) {
        case 'commit':
          source = {
            provider: event.candidate.info.provider,
            model: event.candidate.info.model,
            responseMessageId,
            conversationId: conversation.id,
          };
          return undefined;
        case 'text-delta':
          answer.addText(event.text);
          return { type: 'text-delta', text: event.text, source: source! };
        case 'reasoning-delta':
          answer.addReasoning(event.text, event.echo);
          return event.text ? { type: 'reasoning-delta', text: event.text, source: source! } : undefined;
        case 'tool-call-delta':
          answer.addToolCall(event);
          return {
            type: 'tool-call-delta',
            index: event.index,
            id: event.id,
            name: event.name,
            arguments: event.arguments,
            source: source!,
          };
        case 'finish': {
          const usage = event.usage ?? estimateUsage();
          const searchCost = grounding?.cost ?? 0;
          const cost = computeCost(usage, event.candidate.info.prices);
          // [search, issue 9] A native search reports its own pages (its cost is in the provider's usage).
          const native = event.candidate.search ? nativeCitations(event.sources) : undefined;
          const completion: CompletionResult = {
            ...source!,
            id: randomUUID(),
            conversationTitle: conversation.title,
            text: answer.text,
            content: answer.content(),
            finishReason: event.finishReason,
            droppedParameters: event.candidate.droppedParameters,
            usage,
            cost: { ...cost, total: cost.total + searchCost },
            searchCost,
            citations: native?.citations ?? grounding?.citations ?? [],
            search: native?.report ?? grounding?.report,
            unpriced: event.candidate.info.prices === undefined,
            latencyMs: latencyMs(),
            ttftMs: event.ttftMs,
            attempts: event.attempts,
          };
          record({ kind: 'succeeded', completion });
          used = actualUse(usage, completion.cost.total);
          return { type: 'done', completion };
        }
        case 'failed': {
          const partial = event.committed
            ? { ...event.committed, content: answer.content(), usage: estimateUsage() }
            : undefined;
          record({
            kind: 'failed',
            error: event.error,
            attempts: event.attempts,
            partial,
            responseMessageId,
            latencyMs: latencyMs(),
          });
          used = partialUse(partial);
          return { type: 'error', error: event.error, afterText: partial !== undefined };
        }
      }
    };

    // Aborted by the client going away, or by the surface no longer listening.
    const stop = new AbortController();
    if (context.signal.aborted) stop.abort(context.signal.reason);
    else context.signal.addEventListener('abort', () => stop.abort(context.signal.reason), { once: true });
    const routing = this.deps.router.route(
      {
        candidates,
        messages,
        maxRetries: request.maxRetries,
        startedAt: context.startedAt,
        // A client waiting for the whole answer is sent nothing until it finished.
        streamed: request.stream,
      },
      stop.signal,
    );
    // Stepped by hand, not with for-await, which would close the route when the surface
    // stops listening, before the finally block could let it end properly.
    try {
      for (let step = await routing.next(); !step.done; step = await routing.next()) {
        const out = handle(step.value);
        if (recorded) {
          // Settled before the final event, so the key's next request sees the released budget.
          await admission.finish(used);
          if (out) yield out;
          return;
        }
        if (out) yield out;
      }
    } finally {
      if (!recorded) {
        // The surface stopped listening mid-answer: cancel the upstream and let the router
        // end the normal way, so the attempts and the partial answer are recorded as usual.
        stop.abort();
        for (let step = await routing.next(); !step.done && !recorded; step = await routing.next())
          handle(step.value);
        await admission.finish(used);
      }
    }
  }
}

const nothingUsed: ActualUse = { tokens: 0, costPico: 0 };

const actualUse = (usage: Usage, costPico: number): ActualUse => ({
  tokens: usage.promptTokens + usage.completionTokens,
  costPico,
});

/** A failure is charged for the answer it had sent, as the recorder bills it; nothing otherwise. */
const partialUse = (partial: { candidate: Candidate; usage: Usage } | undefined): ActualUse =>
  partial
    ? actualUse(partial.usage, computeCost(partial.usage, partial.candidate.info.prices).total)
    : nothingUsed;

/**
 * A generator's body (and so its `finally`) never runs if it is closed, or dropped after
 * its client left, before its first `next()`: release the key's admission then too.
 */
function releaseIfNeverStarted(
  events: AsyncGenerator<CompletionEvent>,
  admission: Admission,
  signal: AbortSignal,
): AsyncGenerator<CompletionEvent> {
  let started = false;
  const release = () => {
    if (!started) void admission.finish(nothingUsed);
  };
  const next = events.next.bind(events);
  const close = events.return.bind(events);
  const fail = events.throw.bind(events);
  events.next = (...args) => {
    started = true;
    return next(...args);
  };
  events.return = (value) => {
    release();
    started = true;
    return close(value);
  };
  events.throw = (error) => {
    release();
    started = true;
    return fail(error);
  };
  if (signal.aborted) release();
  else signal.addEventListener('abort', release, { once: true });
  return events;
}
