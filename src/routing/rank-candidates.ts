import type { ModelInfo } from '../catalog/model-info.js';
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
export function expectedCost(info: Pick<ModelInfo, 'prices'>, request: RankingRequest): number | undefined {
  const prices = info.prices;
  if (!prices) return undefined;
  return request.promptTokens * prices.input + request.expectedOutputTokens * prices.output;
}

/** Expected milliseconds to a complete answer, or undefined for a model not seen yet. */
export function expectedTime(estimate: ModelEstimate, request: RankingRequest): number | undefined {
  if (estimate.ttftMs === undefined) return undefined;
  return estimate.ttftMs + request.expectedOutputTokens * (estimate.msPerOutputToken ?? 0);
}

/** A candidate with the figures that ranked it, computed once while planning (SPEC §10). */
export interface ScoredCandidate {
  candidate: Candidate;
  /** Expected pico-dollars of this request; undefined when unpriced. */
  cost: number | undefined;
  /** Expected ms to the first token (moving average); undefined for a model not seen yet. */
  ttft: number | undefined;
  /** Expected ms to a complete answer; undefined for a model not seen yet. */
  time: number | undefined;
  errorRate: number;
  /** The balanced score, lower first (whatever the strategy, so candidates compare alike). */
  score: number;
}

/** The figures of each candidate of the pool, in the given order, with their balanced scores. */
export function scoreCandidates(
  pool: readonly Candidate[],
  estimateOf: (modelId: string) => ModelEstimate,
  request: RankingRequest,
): ScoredCandidate[] {
  const scored: ScoredCandidate[] = new Array(pool.length);
  let maxCost = 0;
  let maxTime = 0;
  let minTime = Number.POSITIVE_INFINITY;
  for (let index = 0; index < pool.length; index++) {
    const candidate = pool[index]!;
    const estimate = estimateOf(candidate.info.id);
    const cost = expectedCost(candidate.info, request);
    const time = expectedTime(estimate, request);
    if (cost !== undefined && cost > maxCost) maxCost = cost;
    if (time !== undefined) {
      if (time > maxTime) maxTime = time;
      if (time < minTime) minTime = time;
    }
    scored[index] = { candidate, cost, ttft: estimate.ttftMs, time, errorRate: estimate.errorRate, score: 0 };
  }
  if (minTime === Number.POSITIVE_INFINITY) minTime = 0;
  for (const entry of scored) {
    // An unpriced model counts as the most expensive; an unseen one as the fastest seen.
    const cost = maxCost > 0 ? (entry.cost ?? maxCost) / maxCost : 0;
    const time = maxTime > 0 ? (entry.time ?? minTime) / maxTime : 0;
    entry.score = 0.5 * cost + 0.5 * time + failurePenalty * entry.errorRate;
  }
  return scored;
}

/**
 * Orders the pool by strategy; ties keep the order the client gave.
 * - `ordered`: as given.
 * - `cheapest`: expected cost of this request; unpriced models last.
 * - `fastest`: expected time to a complete answer from live figures; models not seen yet
 *   first (optimistic, so new models get measured).
 * - `balanced`: cost and time, each relative to the most expensive / slowest candidate,
 *   weighed equally, plus a penalty for the recent error rate.
 */
export function rankScored(scored: ScoredCandidate[], strategy: RoutingStrategy): ScoredCandidate[] {
  if (strategy === 'ordered' || scored.length < 2) return scored;
  const index = new Map(scored.map((entry, position) => [entry, position]));
  const byKey = (key: (entry: ScoredCandidate) => number) => (a: ScoredCandidate, b: ScoredCandidate) =>
    key(a) - key(b) || index.get(a)! - index.get(b)!;
  const sorted = [...scored];
  if (strategy === 'cheapest') sorted.sort(byKey((entry) => entry.cost ?? Number.POSITIVE_INFINITY));
  else if (strategy === 'fastest') sorted.sort(byKey((entry) => entry.time ?? Number.NEGATIVE_INFINITY));
  else sorted.sort(byKey((entry) => entry.score));
  return sorted;
}

/** `rankScored` of `scoreCandidates`, candidates only. */
export function rankCandidates(
  pool: readonly Candidate[],
  strategy: RoutingStrategy,
  estimateOf: (modelId: string) => ModelEstimate,
  request: RankingRequest,
): Candidate[] {
  return rankScored(scoreCandidates(pool, estimateOf, request), strategy).map((entry) => entry.candidate);
}
