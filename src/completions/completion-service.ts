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
import type { ModelGroup, ModelPools } from '../routing/model-pools.js';
import type { EmbeddingCaller, PoolChoice, PromptRouteMatcher } from '../routing/prompt-route-matcher.js';
import type { Router } from '../routing/route-completion.js';
import type { RoutingExplanation } from '../routing/route-explanation.js';
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
  /** `group/<name>` and `auto` (SPEC §10); absent: naming one is a 400. */
  pools?: ModelPools | undefined;
  /** Chooses the pool of `auto` and of groups with routes by the prompt's meaning. */
  promptRoutes?: PromptRouteMatcher | undefined;
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

  /** The config's model groups (and `auto`), for the model listings. */
  get groups(): readonly ModelGroup[] {
    return this.deps.pools?.list ?? [];
  }

  /**
   * Checks what can be checked before any upstream call (allowlist, conversation,
   * eligibility, the key's rate limits and budget) and throws a GatewayError when the
   * request cannot go ahead; otherwise returns the run, which owns the rest of the
   * request's life: read its `events()` (or `cancel()` it) and it settles itself.
   */
  async start(request: CompletionRequest, context: CompletionContext): Promise<CompletionRun> {
    const conversation = await this.#resolveConversation(request, context.principal);
    const { messages } = this.#conversationMessages(request, conversation);
    const choices = await this.#choosePools(request, messages, context);
    const plan = this.#plan(request, messages, context.principal, context.startedAt, choices);
    const { search: webSearch } = this.deps;
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

  /**
   * The dry run (SPEC §10): the plan's explanation of this request, with no upstream called,
   * no budget reserved and nothing stored. A prompt-aware pool is shown as its default pool,
   * since matching it would embed the prompt.
   */
  async explain(
    request: CompletionRequest,
    principal: Principal,
    startedAt: number,
  ): Promise<RoutingExplanation> {
    const conversation = await this.#resolveConversation(request, principal);
    const { messages } = this.#conversationMessages(request, conversation);
    const choices = await this.#choosePools(request, messages, undefined);
    return this.#plan(request, messages, principal, startedAt, choices).explanation;
  }

  #conversationMessages(request: CompletionRequest, conversation: ConversationTarget) {
    const instructions: ChatMessage[] = request.instructions
      ? [{ role: 'system', content: [{ type: 'text', text: request.instructions }] }]
      : [];
    const messages = [...instructions, ...conversation.history, ...request.messages];
    checkToolResults(messages, instructions.length + conversation.history.length);
    return { messages };
  }

  /**
   * The pool of each prompt-aware reference (`auto`, groups with routes): matched by the
   * prompt's embedding when `caller` may pay for one, else its default pool.
   */
  async #choosePools(
    request: CompletionRequest,
    messages: ChatMessage[],
    caller: EmbeddingCaller | undefined,
  ): Promise<Map<string, PoolChoice> | undefined> {
    const { pools, promptRoutes } = this.deps;
    if (!pools) return undefined;
    let choices: Map<string, PoolChoice> | undefined;
    for (const ref of [...request.models, ...request.fallbackModels]) {
      const pool = pools.promptRouted(ref);
      if (!pool || choices?.has(ref.id)) continue;
      choices ??= new Map();
      const choice =
        caller && promptRoutes
          ? await promptRoutes.choose(pool, messages, caller)
          : {
              models: pool.defaultModels,
              match: {
                pool: pool.id,
                route: undefined,
                similarity: undefined,
                closestRoute: undefined,
                threshold: pool.threshold,
                embeddingModel: pool.embeddingModel,
                note: caller
                  ? 'prompt-aware routing is not available: the default pool was used'
                  : 'a dry run embeds nothing: the default pool is shown',
              },
            };
      choices.set(ref.id, choice);
    }
    return choices;
  }

  #plan(
    request: CompletionRequest,
    messages: ChatMessage[],
    principal: Principal,
    startedAt: number,
    promptChoices: Map<string, PoolChoice> | undefined,
  ): RoutePlan {
    const { router, catalog, registry, search: webSearch, pools } = this.deps;
    return planRoute(
      {
        models: request.models,
        fallbackModels: request.fallbackModels,
        messages,
        options: request,
        maxRetries: request.maxRetries,
        streamed: request.stream,
        strategy: request.strategy ?? this.deps.defaultStrategy,
        search: request.search,
        allowedModels: principal.limits?.allowedModels,
        // [search, issue 9]
        searchUnavailable: webSearch && ((info) => webSearch.unavailableReason(info)),
        startedAt,
        maxCostUsd: request.maxCostUsd,
        maxTtftMs: request.maxTtftMs,
        promptChoices,
      },
      { catalog, registry, health: router.health, pools },
    );
  }

  async #resolveConversation(request: CompletionRequest, principal: Principal): Promise<ConversationTarget> {
    if (!request.conversationId) {
      return { id: randomUUID(), title: titleFromMessages(request.messages), isNew: true, history: [] };
    }
    // A turn of this conversation answered a moment ago may still be in the write queue.
    await this.deps.recorder.whenConversationWritten(request.conversationId);
    const stored = await this.deps.conversations.load(request.conversationId, principal);
    if (!stored) throw new GatewayError('not_found', `conversation ${request.conversationId} was not found`);
    return { id: stored.id, title: stored.title, isNew: false, history: stored.messages };
  }
}
