import type { ModelCatalog } from '../catalog/model-catalog.js';
import { GatewayError } from '../core/gateway-error.js';
import type { ModelRef } from '../core/model-ref.js';
import { allowlistRefusal } from '../limits/model-allowlist.js';
import type { HealthTracker } from '../routing/health-tracker.js';
import type { EmbeddingCatalog, EmbeddingModelInfo } from './embedding-catalog.js';
import type { EmbeddingModel, EmbeddingProviders } from './embedding-model.js';
import type { EmbeddingRequest } from './embedding-request.js';
import type { InputSize } from './input-size.js';

/** An eligible embedding model, ready to be tried. */
export interface EmbeddingCandidate {
  info: EmbeddingModelInfo;
  model: EmbeddingModel;
}

export interface EmbeddingCandidateSources {
  catalog: EmbeddingCatalog;
  /** The chat catalog: a chat model named here is refused, not sent to an embeddings API. */
  chatCatalog: ModelCatalog;
  providers: EmbeddingProviders;
  health: HealthTracker;
}

/** Why a model cannot serve this request, or undefined when it can. */
function ineligibility(
  ref: ModelRef,
  request: EmbeddingRequest,
  size: InputSize,
  allowedModels: readonly string[] | undefined,
  sources: EmbeddingCandidateSources,
): string | undefined {
  const refusal = allowlistRefusal(allowedModels, ref);
  if (refusal) return refusal;
  const provider = sources.providers.get(ref.provider);
  if (!provider) return `provider "${ref.provider}" has no embeddings API here`;
  if (!provider.configured) return `provider "${ref.provider}" is not configured (its API key is not set)`;
  if (!sources.catalog.get(ref.id) && sources.chatCatalog.get(ref.id))
    return 'it is a chat model, not an embedding model';
  const info = sources.catalog.resolve(ref.id);
  if (request.dimensions !== undefined) {
    if (info.maxDimensions === null) return 'its vectors have a fixed size: it does not take dimensions';
    if (info.maxDimensions !== undefined && request.dimensions > info.maxDimensions)
      return `its vectors have at most ${info.maxDimensions} dimensions`;
  }
  if (info.contextWindow !== undefined && size.exceeds(info.contextWindow))
    return `an input is longer than its limit of ${info.contextWindow} tokens`;
  if (!sources.health.available(ref.id)) return 'its circuit is open after recent failures';
  return undefined;
}

/**
 * The pool and the fallbacks, each model once, minus those that cannot serve the request.
 * Throws 422 `no_eligible_model` with each model's reason when none is left.
 */
export function selectEmbeddingCandidates(
  request: EmbeddingRequest,
  size: InputSize,
  allowedModels: readonly string[] | undefined,
  sources: EmbeddingCandidateSources,
): { pool: EmbeddingCandidate[]; fallbacks: EmbeddingCandidate[] } {
  const seen = new Set<string>();
  const pool: EmbeddingCandidate[] = [];
  const fallbacks: EmbeddingCandidate[] = [];
  const rejected: { model: string; reason: string }[] = [];
  const refs = [...request.models, ...request.fallbackModels];
  for (const [position, ref] of refs.entries()) {
    if (seen.has(ref.id)) continue;
    seen.add(ref.id);
    const reason = ineligibility(ref, request, size, allowedModels, sources);
    if (reason) {
      rejected.push({ model: ref.id, reason });
      continue;
    }
    const candidate = {
      info: sources.catalog.resolve(ref.id),
      model: sources.providers.get(ref.provider)!.embeddingModel(ref.model),
    };
    (position < request.models.length ? pool : fallbacks).push(candidate);
  }
  if (pool.length + fallbacks.length === 0) {
    const summary = rejected.map((entry) => `${entry.model}: ${entry.reason}`).join('; ');
    throw new GatewayError('no_eligible_model', `no embedding model can serve this request (${summary})`, {
      candidates: rejected,
    });
  }
  return { pool, fallbacks };
}
