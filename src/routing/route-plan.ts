import type { ModelCatalog } from '../catalog/model-catalog.js';
import type { ModelInfo } from '../catalog/model-info.js';
import type { RoutingStrategy } from '../config/config-schema.js';
import type { DroppedParameter, GenerationOptions } from '../core/generation-options.js';
import type { ChatMessage } from '../core/messages.js';
import type { ModelRef } from '../core/model-ref.js';
import type { LanguageModel } from '../providers/provider.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { HealthTracker } from './health-tracker.js';
import { PromptSize } from './prompt-size.js';
import { rankCandidates, typicalOutputTokens } from './rank-candidates.js';
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
}

export interface RoutePlanDeps {
  catalog: ModelCatalog;
  registry: ProviderRegistry;
  health: HealthTracker;
}

/**
 * The plan of one request, by routing alone: drops the candidates that cannot serve it (422
 * with each reason when none is left), fits the options to each provider, ranks the pool by
 * the strategy with the live figures, then appends the fallbacks in order.
 */
export function planRoute(query: RouteQuery, deps: RoutePlanDeps): RoutePlan {
  const prompt = new PromptSize(query.messages);
  const { pool, fallbacks } = selectCandidates(
    {
      models: query.models,
      fallbackModels: query.fallbackModels,
      messages: query.messages,
      prompt,
      allowedModels: query.allowedModels,
      options: query.options,
      search: query.search,
      searchUnavailable: query.searchUnavailable,
    },
    deps.catalog,
    deps.registry,
    deps.health,
  );
  const ranked = rankCandidates(pool, query.strategy, (modelId) => deps.health.estimate(modelId), {
    promptTokens: prompt.approxTokens,
    expectedOutputTokens: query.options.maxTokens ?? typicalOutputTokens,
  });
  return {
    candidates: [...ranked, ...fallbacks],
    messages: query.messages,
    maxRetries: query.maxRetries,
    startedAt: query.startedAt,
    streamed: query.streamed,
    strategy: query.strategy,
    prompt,
  };
}
