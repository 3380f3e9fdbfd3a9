import { picoToDollars } from '../../catalog/cost.js';
import { embeddingAttemptToJson } from '../../embeddings/embedding-attempt.js';
import type { EmbeddingResult } from '../../embeddings/embedding-result.js';

/** Little-endian float32s, base64: what OpenAI sends for `encoding_format: "base64"`. */
export function toBase64Float32(vector: readonly number[]): string {
  const floats = Float32Array.from(vector);
  const bytes = Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
  // Float32Array is in the platform's byte order; OpenAI's is little-endian.
  if (!littleEndian) for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  return bytes.toString('base64');
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** OpenAI's embeddings list, with Switchyard's extension under its own key. */
export function toEmbeddingsResponse(result: EmbeddingResult, encodingFormat: 'float' | 'base64') {
  return {
    object: 'list',
    data: result.vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: encodingFormat === 'base64' ? toBase64Float32(vector) : vector,
    })),
    model: `${result.provider}/${result.model}`,
    usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
    switchyard: {
      id: result.id,
      provider: result.provider,
      costs: {
        input_tokens_cost: picoToDollars(result.cost.input),
        total_tokens_cost: picoToDollars(result.cost.total),
      },
      unpriced: result.unpriced,
      usage_estimated: result.usageEstimated,
      latency: result.latencyMs,
      attempts: result.attempts.map(embeddingAttemptToJson),
    },
  };
}
