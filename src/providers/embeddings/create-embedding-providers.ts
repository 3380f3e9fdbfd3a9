import type { ProviderSettings } from '../../config/load-config.js';
import type {
  EmbeddingModel,
  EmbeddingProvider,
  EmbeddingProviders,
} from '../../embeddings/embedding-model.js';
import { GeminiEmbeddingModel } from './gemini-embeddings.js';
import { OpenAIEmbeddingModel } from './openai-embeddings.js';

/** One provider's embedding models, one object per model id. */
class EmbeddingProviderOf implements EmbeddingProvider {
  readonly #models = new Map<string, EmbeddingModel>();

  constructor(
    readonly name: string,
    readonly configured: boolean,
    private readonly create: (model: string) => EmbeddingModel,
  ) {}

  embeddingModel(model: string): EmbeddingModel {
    let found = this.#models.get(model);
    if (!found) {
      found = this.create(model);
      this.#models.set(model, found);
    }
    return found;
  }
}

export interface EmbeddingProvidersOptions {
  /** The fetch every upstream call uses (tests and proxies may pass their own). */
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * The providers with an embeddings API: OpenAI and OpenAI-compatible ones (`/embeddings`)
 * and Google (Gemini's `batchEmbedContents`). Anthropic has none.
 */
export function createEmbeddingProviders(
  settings: readonly ProviderSettings[],
  options: EmbeddingProvidersOptions = {},
): EmbeddingProviders {
  const providers = new Map<string, EmbeddingProvider>();
  for (const provider of settings) {
    const { name, apiKey, baseURL } = provider;
    if (provider.kind === 'openai' || provider.kind === 'openai-compatible') {
      const endpoint = {
        url: `${baseURL.replace(/\/+$/, '')}/embeddings`,
        headers: (apiKey ? { authorization: `Bearer ${apiKey}` } : {}) as Record<string, string>,
        fetch: options.fetch,
      };
      providers.set(
        name,
        new EmbeddingProviderOf(
          name,
          provider.configured,
          (model) => new OpenAIEmbeddingModel(name, model, endpoint),
        ),
      );
    } else if (provider.kind === 'google') {
      const endpoint = { baseURL, apiKey, fetch: options.fetch };
      providers.set(
        name,
        new EmbeddingProviderOf(
          name,
          provider.configured,
          (model) => new GeminiEmbeddingModel(name, model, endpoint),
        ),
      );
    }
  }
  return { get: (name) => providers.get(name) };
}
