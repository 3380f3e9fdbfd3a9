import { findProvider } from '@pydantic/genai-prices';
import { type ModelInfo, picoPerTokenFromPerMTok } from '../catalog/model-info.js';
import type { ConfigFile } from '../config/config-schema.js';
import { parseModelRef } from '../core/model-ref.js';

type ModelOverride = ConfigFile['models'][number];

/** An embedding model: priced by input tokens only; `contextWindow` bounds each input. */
export interface EmbeddingModelInfo extends ModelInfo {
  kind: 'embedding';
  /**
   * The longest vector it can be asked for with `dimensions`; `null`: its vectors have one
   * fixed size (`dimensions` is refused); undefined: not known, passed on as asked.
   */
  maxDimensions: number | null | undefined;
}

/** Providers of the price data whose embedding models are listed. */
const listedProviders = ['openai', 'google'] as const;

/** What the price data does not say: how far each model's vectors can be shortened. */
const knownDimensions: Readonly<Record<string, number | null>> = {
  'openai/text-embedding-3-small': 1536,
  'openai/text-embedding-3-large': 3072,
  'openai/text-embedding-ada-002': null,
  'google/gemini-embedding-001': 3072,
};

/** Used only if the price data ever lacks them: dollars per million input tokens. */
const fallbackPrices: Readonly<Record<string, number>> = {
  'openai/text-embedding-3-small': 0.02,
  'openai/text-embedding-3-large': 0.13,
  'google/gemini-embedding-001': 0.15,
};

const embeddingInfo = (
  id: string,
  inputPerMTok: number | undefined,
  contextWindow: number | undefined,
): EmbeddingModelInfo => {
  const ref = parseModelRef(id);
  const input = inputPerMTok === undefined ? undefined : picoPerTokenFromPerMTok(inputPerMTok);
  return {
    ...ref,
    kind: 'embedding',
    contextWindow,
    maxOutputTokens: undefined,
    prices: input === undefined ? undefined : { input, output: 0, cachedInput: input },
    capabilities: new Set(),
    maxDimensions: knownDimensions[id],
  };
};

/** The embedding models of the price data shipped in `@pydantic/genai-prices` (no network). */
function shippedEmbeddingModels(): EmbeddingModelInfo[] {
  const found = new Map<string, EmbeddingModelInfo>();
  for (const provider of listedProviders) {
    for (const model of findProvider({ providerId: provider })?.models ?? []) {
      if (model.deprecated || !/embed/.test(model.id) || Array.isArray(model.prices)) continue;
      const input = model.prices.input_mtok;
      if (typeof input !== 'number' || model.prices.output_mtok !== undefined) continue;
      const id = `${provider}/${model.id}`;
      found.set(id, embeddingInfo(id, input, model.context_window));
    }
  }
  for (const [id, price] of Object.entries(fallbackPrices))
    if (!found.has(id)) found.set(id, embeddingInfo(id, price, undefined));
  return [...found.values()];
}

/** Bounds the unpriced entries made for ids that come from requests. */
const maxUnknown = 1000;

/**
 * The models `POST /v1/embeddings` routes among: the shipped ones plus the config file's
 * `kind: embedding` entries (which win). A model of a configured provider that the catalog
 * lacks is served unpriced, as chat models are.
 */
export class EmbeddingCatalog {
  readonly #models = new Map<string, EmbeddingModelInfo>();
  readonly #unknown = new Map<string, EmbeddingModelInfo>();

  constructor(models: readonly EmbeddingModelInfo[], overrides: readonly ModelOverride[] = []) {
    for (const model of models) this.#models.set(model.id, model);
    for (const override of overrides) {
      if (override.kind !== 'embedding') continue;
      const base = this.#models.get(override.id);
      const price =
        override.inputPricePerMTok === undefined
          ? base?.prices && base.prices.input / 1e6
          : override.inputPricePerMTok;
      this.#models.set(override.id, {
        ...embeddingInfo(override.id, price, override.contextWindow ?? base?.contextWindow),
        maxDimensions: base?.maxDimensions,
      });
    }
  }

  static withBuiltIns(overrides: readonly ModelOverride[] = []): EmbeddingCatalog {
    return new EmbeddingCatalog(shippedEmbeddingModels(), overrides);
  }

  get(id: string): EmbeddingModelInfo | undefined {
    return this.#models.get(id);
  }

  /** The catalog entry, or an unpriced one for a model the catalog lacks. */
  resolve(id: string): EmbeddingModelInfo {
    const known = this.#models.get(id) ?? this.#unknown.get(id);
    if (known) return known;
    const unpriced = embeddingInfo(id, undefined, undefined);
    if (this.#unknown.size < maxUnknown) this.#unknown.set(id, unpriced);
    return unpriced;
  }

  list(): EmbeddingModelInfo[] {
    return [...this.#models.values()];
  }
}

/** Whether a catalog entry (of either catalog) is an embedding model. */
export const isEmbeddingModel = (info: ModelInfo): info is EmbeddingModelInfo =>
  (info as Partial<EmbeddingModelInfo>).kind === 'embedding';
