import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { computeCost } from '../catalog/cost.js';
import type { ModelCatalog } from '../catalog/model-catalog.js';
import type { RoutingStrategy } from '../config/config-schema.js';
import type { CompletionRequest } from '../core/completion-request.js';
import { GatewayError } from '../core/gateway-error.js';
import type { ChatMessage } from '../core/messages.js';
import { countMessageTokens, countTokens } from '../core/token-count.js';
import type { Usage } from '../core/usage.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { Clock } from '../routing/clock.js';
import { PromptSize } from '../routing/prompt-size.js';
import { rankCandidates, typicalOutputTokens } from '../routing/rank-candidates.js';
import type { Candidate, RouteEvent, Router } from '../routing/route-completion.js';
import { selectCandidates } from '../routing/select-candidates.js';
import type { Grounding } from '../search/ground-conversation.js';
import type { WebSearch } from '../search/web-search.js';
import type { CompletionRecorder } from '../store/completion-recorder.js';
import type { ConversationStore } from '../store/conversation-store.js';
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
}

export interface CompletionContext {
  principal: Principal;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** `clock.now()` when the request arrived. */
  startedAt: number;
  /** Wall-clock arrival, for stored timestamps. */
  receivedAt: Date;
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
   * Checks what can be checked before any upstream call (conversation, eligibility) and
   * throws a GatewayError when the request cannot go ahead; otherwise returns the events.
   */
  async start(
    request: CompletionRequest,
    context: CompletionContext,
  ): Promise<AsyncGenerator<CompletionEvent>> {
    const conversation = await this.#resolveConversation(request, context.principal);
    const messages = [...conversation.history, ...request.messages];
    const prompt = new PromptSize(messages);
    const { router, catalog, registry } = this.deps;
    const { pool, fallbacks } = selectCandidates(
      {
        models: request.models,
        fallbackModels: request.fallbackModels,
        messages,
        prompt,
        maxTokens: request.maxTokens,
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
    // [search, issue 9] Ground once, after eligibility (a request that gets a 422 pays for no
    // search) and before routing, so that every candidate, fallbacks included, gets the same
    // sources. Only `search: true` requests search. The stored turns stay the user's own.
    const grounding = request.search ? await this.deps.search?.ground(messages, context.signal) : undefined;
    return this.#run(
      request,
      context,
      conversation,
      grounding?.messages ?? messages,
      [...ranked, ...fallbacks],
      grounding,
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
  ): AsyncGenerator<CompletionEvent> {
    const { clock, recorder } = this.deps;
    const responseMessageId = randomUUID();
    let source: AnswerSource | undefined;
    let text = '';
    let recorded = false;
    const estimateUsage = (): Usage => ({
      promptTokens: countMessageTokens(messages),
      completionTokens: countTokens(text),
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
          text += event.text;
          return { type: 'text-delta', text: event.text, source: source! };
        case 'finish': {
          const usage = event.usage ?? estimateUsage();
          const searchCost = grounding?.cost ?? 0;
          const cost = computeCost(usage, event.candidate.info.prices);
          const completion: CompletionResult = {
            ...source!,
            id: randomUUID(),
            conversationTitle: conversation.title,
            text,
            finishReason: event.finishReason,
            usage,
            cost: { ...cost, total: cost.total + searchCost },
            searchCost,
            citations: grounding?.citations ?? [],
            search: grounding?.report,
            unpriced: event.candidate.info.prices === undefined,
            latencyMs: latencyMs(),
            ttftMs: event.ttftMs,
            attempts: event.attempts,
          };
          record({ kind: 'succeeded', completion });
          return { type: 'done', completion };
        }
        case 'failed': {
          const partial = event.committed ? { ...event.committed, text, usage: estimateUsage() } : undefined;
          record({
            kind: 'failed',
            error: event.error,
            attempts: event.attempts,
            partial,
            responseMessageId,
            latencyMs: latencyMs(),
          });
          return { type: 'error', error: event.error, afterText: partial !== undefined };
        }
      }
    };

    // Aborted by the client going away, or by the surface no longer listening.
    const stop = new AbortController();
    const routing = this.deps.router.route(
      {
        candidates,
        messages,
        temperature: request.temperature,
        maxTokens: request.maxTokens,
        maxRetries: request.maxRetries,
        startedAt: context.startedAt,
      },
      AbortSignal.any([context.signal, stop.signal]),
    );
    // Stepped by hand, not with for-await, which would close the route when the surface
    // stops listening, before the finally block could let it end properly.
    try {
      for (let step = await routing.next(); !step.done; step = await routing.next()) {
        const out = handle(step.value);
        if (out) yield out;
        if (recorded) return;
      }
    } finally {
      if (!recorded) {
        // The surface stopped listening mid-answer: cancel the upstream and let the router
        // end the normal way, so the attempts and the partial answer are recorded as usual.
        stop.abort();
        for (let step = await routing.next(); !step.done && !recorded; step = await routing.next())
          handle(step.value);
      }
    }
  }
}
