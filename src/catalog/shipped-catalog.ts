import {
  calcPrice,
  findProvider,
  type ModelPrice,
  type ModelInfo as PriceModel,
  type Provider as PriceProvider,
} from '@pydantic/genai-prices';
import { type Capability, type ModelInfo, type ModelPrices, picoPerTokenFromPerMTok } from './model-info.js';
import { searchesNatively } from './search-models.js';
import { toolCapabilities } from './tool-models.js';
import { acceptsImages } from './vision-models.js';

/** Our provider names → the price data's provider ids. */
const priceProviderIds: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  groq: 'groq',
  mistral: 'mistral',
  deepseek: 'deepseek',
  xai: 'x-ai',
  together: 'together',
  fireworks: 'fireworks',
  openrouter: 'openrouter',
};

/** Providers whose current models are listed; the others' models are priced when asked for. */
const listedProviders = ['openai', 'anthropic', 'google', 'groq', 'mistral', 'deepseek', 'xai'];

/** The price data files Vertex's Claude models under Google; our `google` is the Gemini API. */
const belongsToProvider = (provider: string, model: string): boolean =>
  provider !== 'google' || /^(gemini|gemma)-/.test(model);

/** Not chat models (or not one model): reachable by id, but not listed. */
const unlistedPattern =
  /(^ft:|-$|:|tts|transcribe|realtime|audio|embed|image|ocr|whisper|moderation|davinci|curie|babbage|^ada$|search-preview|computer-use)/;

/** The price in force at `now`: the last entry whose start date has passed. */
function currentPrice(prices: PriceModel['prices'], now: Date): ModelPrice | undefined {
  if (!Array.isArray(prices)) return prices;
  const today = now.toISOString().slice(0, 10);
  let chosen: ModelPrice | undefined;
  for (const entry of prices) {
    const constraint = entry.constraint;
    if (constraint === undefined) chosen ??= entry.prices;
    else if (constraint.type === 'start_date' && constraint.start_date <= today) chosen = entry.prices;
  }
  return chosen;
}

/** A flat per-MTok figure; tiered prices (long-context surcharges) count at their base. */
const perMTok = (value: ModelPrice[string]): number | undefined =>
  typeof value === 'number' ? value : value?.base;

function toPrices(price: ModelPrice | undefined): ModelPrices | undefined {
  const input = perMTok(price?.input_mtok);
  const output = perMTok(price?.output_mtok);
  // Embedding, image and audio models have no per-token chat price: not ours to serve.
  if (input === undefined || output === undefined) return undefined;
  return {
    input: picoPerTokenFromPerMTok(input),
    output: picoPerTokenFromPerMTok(output),
    cachedInput: picoPerTokenFromPerMTok(perMTok(price?.cache_read_mtok) ?? input),
  };
}

function toModelInfo(provider: string, id: string, model: PriceModel, now: Date): ModelInfo | undefined {
  const prices = toPrices(currentPrice(model.prices, now));
  if (!prices) return undefined;
  const capabilities = new Set<Capability>();
  if (acceptsImages(provider, id)) capabilities.add('vision');
  if (searchesNatively(provider, id)) capabilities.add('search');
  for (const capability of toolCapabilities(provider, id)) capabilities.add(capability);
  return {
    id: `${provider}/${id}`,
    provider,
    model: id,
    contextWindow: model.context_window,
    // The price data has no output limit; a config `models:` entry can set one.
    maxOutputTokens: undefined,
    prices,
    capabilities,
  };
}

const priceProvider = (provider: string): PriceProvider | undefined => {
  const id = priceProviderIds[provider];
  return id === undefined ? undefined : findProvider({ providerId: id });
};

/**
 * The current chat models of the listed providers, from the `@pydantic/genai-prices` data
 * shipped in the package (no network): prices as of `now`, context windows, vision.
 */
export function shippedModels(now: Date = new Date()): ModelInfo[] {
  const models: ModelInfo[] = [];
  for (const provider of listedProviders) {
    for (const model of priceProvider(provider)?.models ?? []) {
      if (model.deprecated || unlistedPattern.test(model.id) || !belongsToProvider(provider, model.id))
        continue;
      const info = toModelInfo(provider, model.id, model, now);
      if (info) models.push(info);
    }
  }
  return models;
}

/**
 * A model the list lacks but the price data recognises by its matching rules, such as a
 * dated snapshot (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`), under the id asked for.
 */
export function lookupShippedModel(
  provider: string,
  model: string,
  now: Date = new Date(),
): ModelInfo | undefined {
  const providerId = priceProviderIds[provider];
  if (providerId === undefined || !belongsToProvider(provider, model)) return undefined;
  const match = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId, timestamp: now });
  if (!match || match.provider.id !== providerId) return undefined;
  const info = toModelInfo(provider, model, { ...match.model, prices: match.model_price }, now);
  if (!info) return undefined;
  // A snapshot has its family's abilities, whatever its own id looks like.
  const capabilities = new Set(info.capabilities);
  if (acceptsImages(provider, match.model.id)) capabilities.add('vision');
  if (searchesNatively(provider, match.model.id)) capabilities.add('search');
  for (const capability of toolCapabilities(provider, match.model.id)) capabilities.add(capability);
  return { ...info, capabilities };
}
