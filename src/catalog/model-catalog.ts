import type { ConfigFile } from '../config/config-schema.js';
import { parseModelRef } from '../core/model-ref.js';
import { type Capability, type ModelInfo, picoPerTokenFromPerMTok } from './model-info.js';

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

/** The models the gateway knows, by `provider/model` id. */
export class ModelCatalog {
  readonly #models = new Map<string, ModelInfo>();

  constructor(models: readonly ModelInfo[], overrides: readonly ModelOverride[] = []) {
    for (const model of models) this.#models.set(model.id, model);
    for (const override of overrides)
      this.#models.set(override.id, applyOverride(this.#models.get(override.id), override));
  }

  static withBuiltIns(overrides: readonly ModelOverride[] = []): ModelCatalog {
    return new ModelCatalog(builtInModels, overrides);
  }

  get(id: string): ModelInfo | undefined {
    return this.#models.get(id);
  }

  /** The catalog entry, or an unpriced entry for a model of a configured provider that the catalog lacks. */
  resolve(id: string): ModelInfo {
    const known = this.#models.get(id);
    if (known) return known;
    const ref = parseModelRef(id);
    return {
      ...ref,
      contextWindow: undefined,
      maxOutputTokens: undefined,
      prices: undefined,
      capabilities: new Set(),
    };
  }

  list(): ModelInfo[] {
    return [...this.#models.values()];
  }
}
