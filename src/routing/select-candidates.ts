import type { ModelCatalog } from '../catalog/model-catalog.js';
import { GatewayError } from '../core/gateway-error.js';
import { type ChatMessage, hasImages } from '../core/messages.js';
import type { ModelRef } from '../core/model-ref.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { Candidate } from './route-completion.js';

export interface CandidateQuery {
  models: ModelRef[];
  fallbackModels: ModelRef[];
  messages: ChatMessage[];
  promptTokens: number;
  maxTokens: number | undefined;
  search: boolean;
}

/** Why a model cannot serve this request, or undefined when it can. */
function ineligibility(
  ref: ModelRef,
  query: CandidateQuery,
  catalog: ModelCatalog,
  registry: ProviderRegistry,
): string | undefined {
  const provider = registry.get(ref.provider);
  if (!provider) return `unknown provider "${ref.provider}"`;
  if (!provider.configured) return `provider "${ref.provider}" is not configured (its API key is not set)`;
  const info = catalog.resolve(ref.id);
  if (info.contextWindow !== undefined && query.promptTokens + (query.maxTokens ?? 0) > info.contextWindow) {
    return `context window of ${info.contextWindow} tokens is smaller than the ~${query.promptTokens} prompt tokens plus maxTokens`;
  }
  if (hasImages(query.messages) && !info.capabilities.has('vision'))
    return 'the model does not accept images';
  if (query.search) return 'web search is not available for this model';
  return undefined;
}

/**
 * The pool then the fallbacks, each model once, minus those that cannot serve the
 * request. Throws 422 `no_eligible_model` with each model's reason when none is left.
 */
export function selectCandidates(
  query: CandidateQuery,
  catalog: ModelCatalog,
  registry: ProviderRegistry,
): Candidate[] {
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  const rejected: { model: string; reason: string }[] = [];
  for (const ref of [...query.models, ...query.fallbackModels]) {
    if (seen.has(ref.id)) continue;
    seen.add(ref.id);
    const reason = ineligibility(ref, query, catalog, registry);
    if (reason) rejected.push({ model: ref.id, reason });
    else
      candidates.push({
        info: catalog.resolve(ref.id),
        model: registry.get(ref.provider)!.languageModel(ref.model),
      });
  }
  if (candidates.length === 0) {
    const summary = rejected.map((entry) => `${entry.model}: ${entry.reason}`).join('; ');
    throw new GatewayError('no_eligible_model', `no candidate can serve this request (${summary})`, {
      candidates: rejected,
    });
  }
  return candidates;
}
