import type { ConfigFile } from '../config/config-schema.js';
import { parseModelRef } from '../core/model-ref.js';
import { type Capability, type ModelInfo, picoPerTokenFromPerMTok } from './model-info.js';
import { lookupShippedModel, shippedModels } from './shipped-catalog.js';
import { toolCapabilities } from './tool-models.js';

type ModelOverride = ConfigFile['models'][number];

const builtInModels: readonly ModelInfo[] = [
  {
    id: 'local/echo',
    provider: 'local',
    model: 'echo',
    contextWindow: 1_000_000,
    maxOutputTokens: undefined,
    prices: { input: 0, output: 0, cachedInput: 0 },
    capabilities: new Set<Capability>(['vision']),
  },
];

function applyOverride(base: ModelInfo | undefined, override: ModelOverride): ModelInfo {
  const ref = parseModelRef(override.id);
  const basePrices = base?.prices;
  const hasPrice = override.inputPricePerMTok !== undefined || override.outputPricePerMTok !== undefined;
  const input =
    override.inputPricePerMTok !== undefined
      ? picoPerTokenFromPerMTok(override.inputPricePerMTok)
      : basePrices?.input;
  const prices =
    basePrices || hasPrice
      ? {
          input: input ?? 0,
          output:
            override.outputPricePerMTok !== undefined
              ? picoPerTokenFromPerMTok(override.outputPricePerMTok)
              : (basePrices?.output ?? 0),
          cachedInput:
            override.cachedInputPricePerMTok !== undefined
              ? picoPerTokenFromPerMTok(override.cachedInputPricePerMTok)
              : (basePrices?.cachedInput ?? input ?? 0),
        }
      : undefined;
  return {
    id: ref.id,
    provider: ref.provider,
    model: ref.model,
    contextWindow: override.contextWindow ?? base?.contextWindow,
    maxOutputTokens: override.maxOutputTokens ?? base?.maxOutputTokens,
    prices,
    capabilities: override.capabilities ? new Set(override.capabilities) : (base?.capabilities ?? new Set()),
  };
}

/** Finds a model the list lacks (a dated snapshot of a listed one, say). */
export type ModelLookup = (id: string) => ModelInfo | undefined;

/** Bounds the memo of looked-up ids: they come from requests, so they are unbounded. */
const maxLookedUp = 1000;

/** The models the gateway knows, by `provider/model` id. Config overrides win over shipped data. */
export class ModelCatalog {
  readonly #models = new Map<string, ModelInfo>();
  readonly #lookup: ModelLookup | undefined;
  /** Lookups by the price data's matching rules are slow: each id is looked up once, misses included. */
  readonly #lookedUp = new Map<string, ModelInfo | null>();
  /** Unpriced entries for ids the catalog lacks, built once each. */
  readonly #unknown = new Map<string, ModelInfo>();

  constructor(models: readonly ModelInfo[], overrides: readonly ModelOverride[] = [], lookup?: ModelLookup) {
    this.#lookup = lookup;
    for (const model of models) this.#models.set(model.id, model);
    for (const override of overrides)
      this.#models.set(
        override.id,
        applyOverride(this.#models.get(override.id) ?? lookup?.(override.id), override),
      );
  }

  /** `local/echo`, the current models of the built-in providers, then the config's `models:`. */
  static withBuiltIns(overrides: readonly ModelOverride[] = [], now: Date = new Date()): ModelCatalog {
    return new ModelCatalog([...shippedModels(now), ...builtInModels], overrides, (id) => {
      const ref = parseModelRef(id);
      return lookupShippedModel(ref.provider, ref.model, now);
    });
  }

  get(id: string): ModelInfo | undefined {
    const known = this.#models.get(id);
    if (known || !this.#lookup) return known;
    const cached = this.#lookedUp.get(id);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.#lookup(id);
    if (this.#lookedUp.size < maxLookedUp) this.#lookedUp.set(id, found ?? null);
    return found;
  }

  /** The catalog entry, or an unpriced entry for a model of a configured provider that the catalog lacks. */
  resolve(id: string): ModelInfo {
    const known = this.get(id) ?? this.#unknown.get(id);
    if (known) return known;
    const ref = parseModelRef(id);
    const unpriced: ModelInfo = {
      ...ref,
      contextWindow: undefined,
      maxOutputTokens: undefined,
      prices: undefined,
      capabilities: new Set(toolCapabilities(ref.provider, ref.model)),
    };
    if (this.#unknown.size < maxLookedUp) this.#unknown.set(id, unpriced);
    return unpriced;
  }

  list(): ModelInfo[] {
    return [...this.#models.values()];
  }
}
