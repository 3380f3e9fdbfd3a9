import { z } from 'zod';
import { UpstreamError } from '../../core/upstream-error.js';
import type { EmbeddingCall, EmbeddingModel, EmbeddingOutput } from '../../embeddings/embedding-model.js';
import { postJson } from './post-json.js';

/** Gemini's `models/{model}:batchEmbedContents` answer: one `values` list per request, in order. */
const batchEmbedContentsSchema = z.object({
  embeddings: z.array(z.object({ values: z.array(z.number()) })),
  // Not documented for this method today; read when present.
  usageMetadata: z.object({ promptTokenCount: z.int().nonnegative().optional() }).optional(),
});

/** Gemini takes at most this many requests in one `batchEmbedContents` call. */
const maxRequestsPerBatch = 100;

export interface GeminiEndpoint {
  /** The API root with its version, e.g. `https://generativelanguage.googleapis.com/v1beta`. */
  baseURL: string;
  apiKey: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * A Gemini embedding model, through `batchEmbedContents` (one request per input, up to 100
 * per call). Gemini reports no token usage for it: the service counts the inputs itself.
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
    if (call.inputs.length <= maxRequestsPerBatch) return this.#batch(call.inputs, call, call.signal);
    // Larger requests go out as several batches at once; the first failure cancels the others.
    const controller = new AbortController();
    const cancel = () => controller.abort(call.signal.reason);
    call.signal.addEventListener('abort', cancel, { once: true });
    try {
      const batches: Promise<EmbeddingOutput>[] = [];
      for (let start = 0; start < call.inputs.length; start += maxRequestsPerBatch) {
        const inputs = call.inputs.slice(start, start + maxRequestsPerBatch);
        batches.push(
          this.#batch(inputs, call, controller.signal).catch((error: unknown) => {
            if (!controller.signal.aborted) controller.abort(error);
            throw error;
          }),
        );
      }
      const outputs = await Promise.all(batches);
      const counts = outputs.map((output) => output.promptTokens);
      return {
        vectors: outputs.flatMap((output) => output.vectors),
        promptTokens: counts.every((count) => count !== undefined)
          ? counts.reduce((sum, count) => sum + count, 0)
          : undefined,
      };
    } finally {
      call.signal.removeEventListener('abort', cancel);
    }
  }

  async #batch(
    inputs: readonly string[],
    call: EmbeddingCall,
    signal: AbortSignal,
  ): Promise<EmbeddingOutput> {
    const answer = await postJson({
      url: this.#url,
      headers: this.endpoint.apiKey ? { 'x-goog-api-key': this.endpoint.apiKey } : {},
      fetch: this.endpoint.fetch,
      body: {
        requests: inputs.map((text) => ({
          model: `models/${this.model}`,
          content: { parts: [{ text }] },
          ...(call.dimensions === undefined ? {} : { outputDimensionality: call.dimensions }),
        })),
      },
      schema: batchEmbedContentsSchema,
      signal,
    });
    if (answer.embeddings.length !== inputs.length) {
      throw new UpstreamError({
        kind: 'incomplete',
        message: `the upstream answered ${answer.embeddings.length} embeddings for ${inputs.length} texts`,
      });
    }
    return {
      vectors: answer.embeddings.map((embedding) => embedding.values),
      promptTokens: answer.usageMetadata?.promptTokenCount,
    };
  }
}
