import type { RoutingStrategy } from '../config/config-schema.js';
import type { ModelEstimate } from '../routing/health-tracker.js';
import type { EmbeddingCandidate } from './select-embedding-candidates.js';

interface Scored {
  candidate: EmbeddingCandidate;
  index: number;
  /** Pico-dollars per input token; undefined when unpriced. */
  price: number | undefined;
  /** Moving average of an attempt's time, ms; undefined for a model not seen yet. */
  time: number | undefined;
  errorRate: number;
}

const byKey = (key: (entry: Scored) => number) => (a: Scored, b: Scored) =>
  key(a) - key(b) || a.index - b.index;

/**
 * Orders the pool as the completion ranking does, on what an embedding costs and takes:
 * `ordered` as given; `cheapest` by input price (unpriced last); `fastest` by observed
 * time (unseen first); `balanced` both, each relative to the worst, plus the error rate.
 */
export function rankEmbeddingCandidates(
  pool: readonly EmbeddingCandidate[],
  strategy: RoutingStrategy,
  estimateOf: (modelId: string) => ModelEstimate,
): EmbeddingCandidate[] {
  if (strategy === 'ordered' || pool.length < 2) return [...pool];
  const scored: Scored[] = pool.map((candidate, index) => {
    const estimate = estimateOf(candidate.info.id);
    return {
      candidate,
      index,
      price: candidate.info.prices?.input,
      time: estimate.ttftMs,
      errorRate: estimate.errorRate,
    };
  });
  if (strategy === 'cheapest') scored.sort(byKey((entry) => entry.price ?? Number.POSITIVE_INFINITY));
  else if (strategy === 'fastest') scored.sort(byKey((entry) => entry.time ?? Number.NEGATIVE_INFINITY));
  else {
    const prices = scored.map((entry) => entry.price).filter((price) => price !== undefined);
    const times = scored.map((entry) => entry.time).filter((time) => time !== undefined);
    const maxPrice = Math.max(0, ...prices);
    const maxTime = Math.max(0, ...times);
    const minTime = times.length > 0 ? Math.min(...times) : 0;
    const score = (entry: Scored) =>
      (maxPrice > 0 ? (entry.price ?? maxPrice) / maxPrice : 0) +
      (maxTime > 0 ? (entry.time ?? minTime) / maxTime : 0) +
      entry.errorRate;
    scored.sort(byKey(score));
  }
  return scored.map((entry) => entry.candidate);
}
