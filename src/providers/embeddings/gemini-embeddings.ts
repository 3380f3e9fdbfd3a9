import { z } from 'zod';
import type { EmbeddingCall, EmbeddingModel, EmbeddingOutput } from '../../embeddings/embedding-model.js';
import { postJson } from './post-json.js';

/** Gemini's `models/{model}:batchEmbedContents` answer: one `values` list per request, in order. */
const batchEmbedContentsSchema = z.object({
  embeddings: z.array(z.object({ values: z.array(z.number()) })),
  // Not documented for this method today; read when present.
  usageMetadata: z.object({ promptTokenCount: z.int().nonnegative().optional() }).optional(),
});

export interface GeminiEndpoint {
  /** The API root with its version, e.g. `https://generativelanguage.googleapis.com/v1beta`. */
  baseURL: string;
  apiKey: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * A Gemini embedding model, through `batchEmbedContents` (one request per input, all in one
 * call). Gemini reports no token usage for it: the service counts the inputs itself.
 */
export class GeminiEmbeddingModel implements EmbeddingModel {
  readonly #url: string;

  constructor(
    readonly provider: string,
    readonly model: string,
    private readonly endpoint: GeminiEndpoint,
  ) {
    this.#url = `${endpoint.baseURL.replace(/\/+$/, '')}/models/${encodeURIComponent(model)}:batchEmbedContents`;
  }

  async embed(call: EmbeddingCall): Promise<EmbeddingOutput> {
    const answer = await postJson({
      url: this.#url,
      headers: this.endpoint.apiKey ? { 'x-goog-api-key': this.endpoint.apiKey } : {},
      fetch: this.endpoint.fetch,
      body: {
        requests: call.inputs.map((text) => ({
          model: `models/${this.model}`,
          content: { parts: [{ text }] },
          ...(call.dimensions === undefined ? {} : { outputDimensionality: call.dimensions }),
        })),
      },
      schema: batchEmbedContentsSchema,
      signal: call.signal,
    });
    return {
      vectors: answer.embeddings.map((embedding) => embedding.values),
      promptTokens: answer.usageMetadata?.promptTokenCount,
    };
  }
}
