import type { ModelCatalog } from '../catalog/model-catalog.js';
import type { ModelInfo } from '../catalog/model-info.js';
import type { RoutingStrategy } from '../config/config-schema.js';
import type { DroppedParameter, GenerationOptions } from '../core/generation-options.js';
import type { ChatMessage } from '../core/messages.js';
import type { ModelRef } from '../core/model-ref.js';
import type { LanguageModel } from '../providers/provider.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { HealthTracker } from './health-tracker.js';
import type { ModelPools } from './model-pools.js';
import type { PoolChoice } from './prompt-route-matcher.js';
import { PromptSize } from './prompt-size.js';
import { rankScored, scoreCandidates, typicalOutputTokens } from './rank-candidates.js';
import type { RoutingExplanation } from './route-explanation.js';
import { selectCandidates } from './select-candidates.js';

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

/** What the router is handed: whom to try, in which order, with what, and until when. */
export interface RoutePlan {
  /** Pool first (ranked), then fallbacks in order. */
  candidates: Candidate[];
  messages: ChatMessage[];
  maxRetries: number;
  /** `clock.now()` when the request arrived: the time budgets count from it. */
  startedAt: number;
  /**
   * Whether the client sees the answer as it streams. When not, nothing is sent before the
   * finish, so a failure at any point of an attempt falls back like one before its first token.
   */
  streamed: boolean;
  strategy: RoutingStrategy;
  prompt: PromptSize;
  /** Why these candidates, in this order (SPEC §10): the figures ranking computed, and who was left out. */
  explanation: RoutingExplanation;
}

/** What a request asks of routing. */
export interface RouteQuery {
  models: ModelRef[];
  fallbackModels: ModelRef[];
  /** The whole conversation: stored turns, then the request's. */
  messages: ChatMessage[];
  options: GenerationOptions;
  maxRetries: number;
  streamed: boolean;
  strategy: RoutingStrategy;
  search: boolean;
  /** The key's allowlist of models or providers, when it has one. */
  allowedModels?: readonly string[] | undefined;
  /** [search, issue 9] Why a model cannot search, or undefined when it can. */
  searchUnavailable?: ((info: ModelInfo) => string | undefined) | undefined;
  startedAt: number;
  /** Bounds on the choice (SPEC §10). */
  maxCostUsd?: number | undefined;
  maxTtftMs?: number | undefined;
  /** The pool each prompt-aware reference (`auto`, a group with routes) stands for in this request. */
  promptChoices?: ReadonlyMap<string, PoolChoice> | undefined;
}

export interface RoutePlanDeps {
  catalog: ModelCatalog;
  registry: ProviderRegistry;
  health: HealthTracker;
  /** `group/<name>` and `auto`; absent: a request naming one gets 400. */
  pools?: ModelPools | undefined;
}

/**
 * The plan of one request, by routing alone: drops the candidates that cannot serve it (422
 * with each reason when none is left), fits the options to each provider, ranks the pool by
 * the strategy with the live figures, then appends the fallbacks in order.
 */
export function planRoute(query: RouteQuery, deps: RoutePlanDeps): RoutePlan {
  const prompt = new PromptSize(query.messages);
  const models = expandPools(query.models, query.promptChoices, deps.pools);
  const fallbackModels = expandPools(query.fallbackModels, query.promptChoices, deps.pools);
  const { pool, fallbacks, excluded } = selectCandidates(
    {
      models,
      fallbackModels,
      messages: query.messages,
      prompt,
      allowedModels: query.allowedModels,
      options: query.options,
      search: query.search,
      searchUnavailable: query.searchUnavailable,
      maxCostUsd: query.maxCostUsd,
      maxTtftMs: query.maxTtftMs,
    },
    deps.catalog,
    deps.registry,
    deps.health,
  );
  const estimateOf = (modelId: string) => deps.health.estimate(modelId);
  const request = {
    promptTokens: prompt.approxTokens,
    expectedOutputTokens: query.options.maxTokens ?? typicalOutputTokens,
  };
  // Fallbacks keep their order; their figures are shown beside the pool's.
  const ranked = [
    ...rankScored(scoreCandidates(pool, estimateOf, request), query.strategy),
    ...scoreCandidates(fallbacks, estimateOf, request),
  ];
  return {
    candidates: ranked.map((entry) => entry.candidate),
    messages: query.messages,
    maxRetries: query.maxRetries,
    startedAt: query.startedAt,
    streamed: query.streamed,
    strategy: query.strategy,
    prompt,
    explanation: {
      strategy: query.strategy,
      ranked,
      poolSize: pool.length,
      excluded,
      maxCostUsd: query.maxCostUsd,
      maxTtftMs: query.maxTtftMs,
      promptMatches: query.promptChoices
        ? [...query.promptChoices.values()].map((choice) => choice.match)
        : [],
    },
  };
}

function expandPools(
  refs: ModelRef[],
  choices: ReadonlyMap<string, PoolChoice> | undefined,
  pools: ModelPools | undefined,
): ModelRef[] {
  if (!pools) return refs;
  if (!choices || choices.size === 0) return pools.expand(refs);
  const chosen = new Map([...choices].map(([id, choice]) => [id, choice.models]));
  return pools.expand(refs, chosen);
}
