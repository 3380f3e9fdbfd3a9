import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import type { ModelCatalog } from '../catalog/model-catalog.js';
import type { RoutingStrategy } from '../config/config-schema.js';
import type { CompletionRequest } from '../core/completion-request.js';
import { GatewayError } from '../core/gateway-error.js';
import type { ChatMessage } from '../core/messages.js';
import { checkToolResults } from '../core/tool-results.js';
import type { RateLimitState } from '../limits/rate-limit-state.js';
import { requestBounds } from '../limits/request-bounds.js';
import type { RequestLimiter } from '../limits/request-limiter.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { Clock } from '../routing/clock.js';
import type { Router } from '../routing/route-completion.js';
import { planRoute, type RoutePlan } from '../routing/route-plan.js';
import type { Grounding } from '../search/ground-conversation.js';
import type { WebSearch } from '../search/web-search.js';
import type { CompletionRecorder } from '../store/completion-recorder.js';
import type { ConversationStore } from '../store/conversation-store.js';
import { CompletionRun } from './completion-run.js';
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
   * request cannot go ahead; otherwise returns the run, which owns the rest of the
   * request's life: read its `events()` (or `cancel()` it) and it settles itself.
   */
  async start(request: CompletionRequest, context: CompletionContext): Promise<CompletionRun> {
    const conversation = await this.#resolveConversation(request, context.principal);
    const instructions: ChatMessage[] = request.instructions
      ? [{ role: 'system', content: [{ type: 'text', text: request.instructions }] }]
      : [];
    const messages = [...instructions, ...conversation.history, ...request.messages];
    checkToolResults(messages, instructions.length + conversation.history.length);
    const { router, catalog, registry, search: webSearch } = this.deps;
    const plan = planRoute(
      {
        models: request.models,
        fallbackModels: request.fallbackModels,
        messages,
        options: request,
        maxRetries: request.maxRetries,
        streamed: request.stream,
        strategy: request.strategy ?? this.deps.defaultStrategy,
        search: request.search,
        allowedModels: context.principal.limits?.allowedModels,
        // [search, issue 9]
        searchUnavailable: webSearch && ((info) => webSearch.unavailableReason(info)),
        startedAt: context.startedAt,
      },
      { catalog, registry, health: router.health },
    );
    // Tokenised only for keys that have limits: the bounds are computed lazily.
    const admission = await this.deps.limiter.admit(
      context.principal,
      () =>
        requestBounds(
          plan.candidates.map((candidate) => candidate.info),
          plan.prompt.exactTokens,
          request.maxTokens,
        ),
      context.onRateLimit,
    );
    // [search, issue 9] How each candidate searches: natively (its provider's own search, on
    // the conversation as it is) or with the backend's sources.
    const search = request.search ? webSearch : undefined;
    const methods = plan.candidates.map((candidate) => search?.methodFor(candidate.info));
    let grounding: Grounding | undefined;
    try {
      // [search, issue 9] Ground once, after eligibility and admission (a refused request pays
      // for no search) and before routing, so that every candidate, fallbacks included, gets
      // the same sources; only when some candidate searches through the backend. The stored
      // turns stay the user's own.
      grounding = methods.includes('backend') ? await search?.ground(messages, context.signal) : undefined;
    } catch (error) {
      await admission.finish({ tokens: 0, costPico: 0 });
      throw error;
    }
    const grounded: RoutePlan = {
      ...plan,
      messages: grounding?.messages ?? messages,
      candidates: plan.candidates.map((candidate, position) =>
        methods[position] === 'native' ? { ...candidate, messages, search: true } : candidate,
      ),
    };
    return new CompletionRun(this.deps, {
      request,
      context,
      conversation,
      plan: grounded,
      admission,
      grounding,
    });
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
}
