import type { RoutingStrategy } from '../config/config-schema.js';
import type { ModelEstimate } from './health-tracker.js';
import type { Candidate } from './route-completion.js';

/** What ranking needs to know of the request. */
export interface RankingRequest {
  /** Rough prompt size; ranking does not need the exact count. */
  promptTokens: number;
  /** The answer size to plan for: `maxTokens`, else a typical answer. */
  expectedOutputTokens: number;
}

/** Answer size assumed when a request sets no maxTokens. */
export const typicalOutputTokens = 500;

/** How much one unit of recent error rate weighs against cost and latency (each 0–1). */
const failurePenalty = 1;

/** Expected pico-dollars of this request on the candidate, or undefined when unpriced. */
export function expectedCost(candidate: Candidate, request: RankingRequest): number | undefined {
  const prices = candidate.info.prices;
  if (!prices) return undefined;
  return request.promptTokens * prices.input + request.expectedOutputTokens * prices.output;
}

/** Expected milliseconds to a complete answer, or undefined for a model not seen yet. */
export function expectedTime(estimate: ModelEstimate, request: RankingRequest): number | undefined {
  if (estimate.ttftMs === undefined) return undefined;
  return estimate.ttftMs + request.expectedOutputTokens * (estimate.msPerOutputToken ?? 0);
}

interface Scored {
  candidate: Candidate;
  index: number;
  cost: number | undefined;
  time: number | undefined;
  errorRate: number;
}

const byKey = (key: (entry: Scored) => number) => (a: Scored, b: Scored) =>
  key(a) - key(b) || a.index - b.index;

/**
 * Orders the pool by strategy; ties keep the order the client gave.
 * - `ordered`: as given.
 * - `cheapest`: expected cost of this request; unpriced models last.
 * - `fastest`: expected time to a complete answer from live figures; models not seen yet
 *   first (optimistic, so new models get measured).
 * - `balanced`: cost and time, each relative to the most expensive / slowest candidate,
 *   weighed equally, plus a penalty for the recent error rate.
 */
export function rankCandidates(
  pool: readonly Candidate[],
  strategy: RoutingStrategy,
  estimateOf: (modelId: string) => ModelEstimate,
  request: RankingRequest,
): Candidate[] {
  if (strategy === 'ordered' || pool.length < 2) return [...pool];
  const scored: Scored[] = pool.map((candidate, index) => {
    const estimate = estimateOf(candidate.info.id);
    return {
      candidate,
      index,
      cost: expectedCost(candidate, request),
      time: expectedTime(estimate, request),
      errorRate: estimate.errorRate,
    };
  });
  if (strategy === 'cheapest') scored.sort(byKey((entry) => entry.cost ?? Number.POSITIVE_INFINITY));
  else if (strategy === 'fastest') scored.sort(byKey((entry) => entry.time ?? Number.NEGATIVE_INFINITY));
  else {
    const costs = scored.map((entry) => entry.cost).filter((cost) => cost !== undefined);
    const times = scored.map((entry) => entry.time).filter((time) => time !== undefined);
    const maxCost = Math.max(0, ...costs);
    const maxTime = Math.max(0, ...times);
    const minTime = times.length > 0 ? Math.min(...times) : 0;
    const score = (entry: Scored) => {
      // An unpriced model counts as the most expensive; an unseen one as the fastest seen.
      const cost = maxCost > 0 ? (entry.cost ?? maxCost) / maxCost : 0;
      const time = maxTime > 0 ? (entry.time ?? minTime) / maxTime : 0;
      return 0.5 * cost + 0.5 * time + failurePenalty * entry.errorRate;
    };
    scored.sort(byKey(score));
  }
  return scored.map((entry) => entry.candidate);
}
