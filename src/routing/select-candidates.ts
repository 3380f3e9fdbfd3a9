import type { ModelCatalog } from '../catalog/model-catalog.js';
import type { ModelInfo } from '../catalog/model-info.js';
import { GatewayError } from '../core/gateway-error.js';
import { fitParameters, type GenerationOptions } from '../core/generation-options.js';
import { type ChatMessage, hasImages, usesTools } from '../core/messages.js';
import type { ModelRef } from '../core/model-ref.js';
import { allowlistRefusal } from '../limits/model-allowlist.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { HealthTracker } from './health-tracker.js';
import type { PromptSize } from './prompt-size.js';
import { expectedCost, typicalOutputTokens } from './rank-candidates.js';
import type { Candidate } from './route-completion.js';
import type { ExcludedCandidate } from './route-explanation.js';

export interface CandidateQuery {
  models: ModelRef[];
  fallbackModels: ModelRef[];
  messages: ChatMessage[];
  prompt: PromptSize;
  /** The key's allowlist of models or providers, when it has one. */
  allowedModels?: readonly string[] | undefined;
  /** The request's generation options; each candidate gets them fitted to its provider. */
  options: GenerationOptions;
  search: boolean;
  /**
   * [search, issue 9] Why a model cannot search (no backend, no native search), or undefined
   * when it can. Absent: no model can search.
   */
  searchUnavailable?: ((info: ModelInfo) => string | undefined) | undefined;
  /** SPEC §10: the most the request may be expected to cost on a candidate, US dollars. */
  maxCostUsd?: number | undefined;
  /** SPEC §10: the highest observed p95 time to first token a candidate may have, ms. */
  maxTtftMs?: number | undefined;
}

/** Why the request needs more than the model can do (SPEC §6, §7), or undefined. */
function missingCapability(
  query: CandidateQuery,
  capabilities: ModelInfo['capabilities'],
): string | undefined {
  const { options } = query;
  const callsTools = (options.tools?.length ?? 0) > 0 || usesTools(query.messages);
  if (callsTools && !capabilities.has('tools')) return 'the model cannot call tools';
  const format = options.responseFormat?.type;
  if ((format === 'json_schema' || format === 'json_object') && !capabilities.has('structured_output'))
    return `the model cannot answer in a JSON format (responseFormat ${format})`;
  if (options.reasoning && !capabilities.has('reasoning'))
    return 'the model does not reason (reasoning was asked for)';
  if (options.logprobs && !capabilities.has('logprobs'))
    return 'the model does not return log probabilities (logprobs was asked for)';
  if (options.choices !== undefined && options.choices > 1 && !capabilities.has('multiple_choices'))
    return `the model cannot sample several choices in one request (n = ${options.choices})`;
  return undefined;
}

const dollars = (pico: number) => Number((pico / 1e12).toPrecision(3));

/** The request's bound the model is outside of (SPEC §10), or undefined. */
function brokenBound(
  info: ModelInfo,
  query: CandidateQuery,
  health: HealthTracker,
): ExcludedCandidate | undefined {
  if (query.maxCostUsd !== undefined) {
    // Unpriced models are billed nothing, so they are within any cost bound.
    const cost = expectedCost(info, {
      promptTokens: query.prompt.approxTokens,
      expectedOutputTokens: query.options.maxTokens ?? typicalOutputTokens,
    });
    if (cost !== undefined && cost > query.maxCostUsd * 1e12)
      return {
        model: info.id,
        bound: 'maxCostUsd',
        reason: `its expected cost of $${dollars(cost)} is above maxCostUsd $${query.maxCostUsd}`,
      };
  }
  if (query.maxTtftMs !== undefined) {
    // A model not seen yet has no observed figure: it is given the benefit of the doubt.
    const p95 = health.snapshot(info.id).ttftP95Ms;
    if (p95 !== undefined && p95 > query.maxTtftMs)
      return {
        model: info.id,
        bound: 'maxTtftMs',
        reason: `its observed p95 time to first token of ${Math.round(p95)} ms is above maxTtftMs ${query.maxTtftMs}`,
      };
  }
  return undefined;
}

/** Why a model cannot serve this request, or undefined when it can. */
function ineligibility(
  ref: ModelRef,
  query: CandidateQuery,
  catalog: ModelCatalog,
  registry: ProviderRegistry,
  health: HealthTracker,
): ExcludedCandidate | string | undefined {
  const refusal = allowlistRefusal(query.allowedModels, ref);
  if (refusal) return refusal;
  const provider = registry.get(ref.provider);
  if (!provider) return `unknown provider "${ref.provider}"`;
  if (!provider.configured) return `provider "${ref.provider}" is not configured (its API key is not set)`;
  const info = catalog.resolve(ref.id);
  if (
    info.contextWindow !== undefined &&
    query.prompt.exceeds(info.contextWindow, query.options.maxTokens ?? 0)
  ) {
    return `its context window of ${info.contextWindow} tokens is smaller than the ${query.prompt.exactTokens} prompt tokens plus maxTokens`;
  }
  if (hasImages(query.messages) && !info.capabilities.has('vision'))
    return 'the model does not accept images';
  const missing = missingCapability(query, info.capabilities);
  if (missing) return missing;
  // [search, issue 9] eligible with search when a backend is configured or it searches natively.
  if (query.search) {
    const reason = query.searchUnavailable
      ? query.searchUnavailable(info)
      : 'no search backend is configured';
    if (reason !== undefined) return `web search is not available for this model: ${reason}`;
  }
  if (!health.available(ref.id)) return 'its circuit is open after recent failures';
  return brokenBound(info, query, health);
}

/**
 * The pool and the fallbacks, each model once, minus those that cannot serve the
 * request. Throws 422 `no_eligible_model` with each model's reason when none is left.
 */
export function selectCandidates(
  query: CandidateQuery,
  catalog: ModelCatalog,
  registry: ProviderRegistry,
  health: HealthTracker,
): { pool: Candidate[]; fallbacks: Candidate[]; excluded: ExcludedCandidate[] } {
  const seen = new Set<string>();
  const pool: Candidate[] = [];
  const fallbacks: Candidate[] = [];
  const rejected: ExcludedCandidate[] = [];
  const refs = [...query.models, ...query.fallbackModels];
  for (const [position, ref] of refs.entries()) {
    if (seen.has(ref.id)) continue;
    seen.add(ref.id);
    const reason = ineligibility(ref, query, catalog, registry, health);
    if (reason) {
      rejected.push(typeof reason === 'string' ? { model: ref.id, reason } : reason);
      continue;
    }
    const model = registry.get(ref.provider)!.languageModel(ref.model);
    const table = fitParameters(query.options, model.parameterSupport, ref.provider);
    // Then what the model cannot take in this combination (Anthropic: no temperature while thinking).
    const combined = model.fitCall?.(table.options);
    const fitted = combined
      ? { options: combined.options, dropped: [...table.dropped, ...combined.dropped] }
      : table;
    const candidate: Candidate = {
      info: catalog.resolve(ref.id),
      model,
      options: fitted.options,
      droppedParameters: fitted.dropped,
    };
    (position < query.models.length ? pool : fallbacks).push(candidate);
  }
  if (pool.length + fallbacks.length === 0) {
    const summary = rejected.map((entry) => `${entry.model}: ${entry.reason}`).join('; ');
    throw new GatewayError('no_eligible_model', `no candidate can serve this request (${summary})`, {
      candidates: rejected,
    });
  }
  return { pool, fallbacks, excluded: rejected };
}
