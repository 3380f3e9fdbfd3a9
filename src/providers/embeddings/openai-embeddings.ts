import { z } from 'zod';
import { UpstreamError } from '../../core/upstream-error.js';
import type { EmbeddingCall, EmbeddingModel, EmbeddingOutput } from '../../embeddings/embedding-model.js';
import { postJson } from './post-json.js';

/** OpenAI's `POST /embeddings` answer, as far as we read it. */
const openaiEmbeddingsSchema = z.object({
  data: z.array(z.object({ index: z.int().nonnegative(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: z.int().nonnegative() }).nullish(),
});

/** Where one OpenAI-format provider's embeddings endpoint is, and its key. */
export interface OpenAIEmbeddingsEndpoint {
  url: string;
  headers: Record<string, string>;
  fetch?: typeof globalThis.fetch | undefined;
}

/** A model behind OpenAI's embeddings wire format (OpenAI and every compatible API). */
export class OpenAIEmbeddingModel implements EmbeddingModel {
  constructor(
    readonly provider: string,
    readonly model: string,
    private readonly endpoint: OpenAIEmbeddingsEndpoint,
  ) {}

  async embed(call: EmbeddingCall): Promise<EmbeddingOutput> {
    const answer = await postJson({
      url: this.endpoint.url,
      headers: this.endpoint.headers,
      fetch: this.endpoint.fetch,
      // Floats, which every compatible server speaks; the surface encodes base64 itself.
      body: {
        model: this.model,
        input: call.inputs,
        encoding_format: 'float',
        ...(call.dimensions === undefined ? {} : { dimensions: call.dimensions }),
        ...(call.user === undefined ? {} : { user: call.user }),
      },
      schema: openaiEmbeddingsSchema,
      signal: call.signal,
    });
    // One vector per index 0…n-1, in index order; a missing or repeated index is a broken answer.
    const byIndex = new Map(answer.data.map((item) => [item.index, item.embedding]));
    const vectors: number[][] = [];
    for (let index = 0; index < answer.data.length; index++) {
      const vector = byIndex.get(index);
      if (!vector) {
        throw new UpstreamError({
          kind: 'incomplete',
          message: 'the upstream answered with missing or repeated embedding indexes',
        });
      }
      vectors.push(vector);
    }
    return { vectors, promptTokens: answer.usage?.prompt_tokens };
  }
}
