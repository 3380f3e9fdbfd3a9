import type { RoutingStrategy } from '../config/config-schema.js';
import type { ModelRef } from '../core/model-ref.js';

/** An embeddings request as every surface hands it to the service, validated. */
export interface EmbeddingRequest {
  /** The pool, ranked by `strategy`. */
  models: ModelRef[];
  /** Tried in order once the pool is exhausted. */
  fallbackModels: ModelRef[];
  /** The texts, each embedded into one vector, in order. */
  inputs: string[];
  dimensions: number | undefined;
  user: string | undefined;
  maxRetries: number;
  strategy: RoutingStrategy | undefined;
}
