import type { Cost } from '../catalog/cost.js';
import type { EmbeddingAttempt } from './embedding-attempt.js';

/** A finished embeddings request, before any surface shapes it. */
export interface EmbeddingResult {
  id: string;
  provider: string;
  model: string;
  /** One vector per input, in input order. */
  vectors: number[][];
  promptTokens: number;
  /** Counted by our tokenizer because the upstream reported none. */
  usageEstimated: boolean;
  cost: Cost;
  /** The model has no price in the catalog; costs are zero. */
  unpriced: boolean;
  latencyMs: number;
  attempts: EmbeddingAttempt[];
}
