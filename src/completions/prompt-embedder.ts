import { parseModelRef } from '../core/model-ref.js';
import type { EmbeddingService } from '../embeddings/embedding-service.js';
import type { Clock } from '../routing/clock.js';
import type { TextEmbedder } from '../routing/prompt-route-matcher.js';

/**
 * Prompt-aware routing's embeddings, through the one embeddings path: routed and retried
 * like `POST /v1/embeddings`, and recorded as its own usage row of kind `embedding`, billed
 * to the key whose request needed it (the route examples, once, to the first such request).
 */
export function embedderThrough(embeddings: () => EmbeddingService, clock: Clock): TextEmbedder {
  return async (model, texts, caller) => {
    const result = await embeddings().embed(
      {
        models: [parseModelRef(model)],
        fallbackModels: [],
        inputs: texts,
        dimensions: undefined,
        user: undefined,
        maxRetries: 2,
        strategy: undefined,
      },
      { principal: caller.principal, signal: caller.signal, startedAt: clock.now(), receivedAt: new Date() },
    );
    return result.vectors;
  };
}
