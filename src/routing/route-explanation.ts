import { picoToDollars } from '../catalog/cost.js';
import type { RoutingStrategy } from '../config/config-schema.js';
import type { ScoredCandidate } from './rank-candidates.js';

/** The routing bound a candidate broke (SPEC §10). */
export type RoutingBound = 'maxCostUsd' | 'maxTtftMs';

/** A candidate planning left out, and why. */
export interface ExcludedCandidate {
  model: string;
  reason: string;
  /** Set when the candidate was within every capability but outside a request's bound. */
  bound?: RoutingBound | undefined;
}

/** How a prompt-aware pool (`auto`, or a group with routes) was chosen. */
export interface PromptMatch {
  /** `auto` or `group/<name>`. */
  pool: string;
  /** The closest route at or above the threshold; undefined: the default pool. */
  route: string | undefined;
  /** Cosine similarity of the prompt to the closest route's nearest utterance; undefined when not embedded. */
  similarity: number | undefined;
  /** The closest route, chosen or not. */
  closestRoute: string | undefined;
  threshold: number;
  embeddingModel: string;
  /** Why no embedding was made (a dry run embeds nothing). */
  note?: string | undefined;
}

/** Why this answer came from this model (SPEC §10): built from the route plan, never recomputed. */
export interface RoutingExplanation {
  strategy: RoutingStrategy;
  /** The pool as ranked, then the fallbacks in order: the order candidates are tried in. */
  ranked: ScoredCandidate[];
  /** How many of `ranked` are the pool (the rest are fallbacks). */
  poolSize: number;
  excluded: ExcludedCandidate[];
  /** The request's bounds, when it set any. */
  maxCostUsd: number | undefined;
  maxTtftMs: number | undefined;
  /** One per prompt-aware pool the request named. */
  promptMatches: PromptMatch[];
}

const rounded = (value: number | undefined): number | null =>
  value === undefined ? null : Math.round(value);

/** The JSON shape of the explanation on every surface (REST, OpenAI, Anthropic, Responses). */
export const routingToJson = (explanation: RoutingExplanation) => ({
  strategy: explanation.strategy,
  candidates: explanation.ranked.map((entry, index) => ({
    model: entry.candidate.info.id,
    rank: index + 1,
    role: index < explanation.poolSize ? 'pool' : 'fallback',
    expectedCostUsd: entry.cost === undefined ? null : picoToDollars(Math.round(entry.cost)),
    expectedTtftMs: rounded(entry.ttft),
    expectedTotalMs: rounded(entry.time),
    errorRate: entry.errorRate,
    score: index < explanation.poolSize ? Math.round(entry.score * 1e6) / 1e6 : null,
  })),
  excluded: explanation.excluded.map((entry) => ({
    model: entry.model,
    reason: entry.reason,
    bound: entry.bound ?? null,
  })),
  constraints: { maxCostUsd: explanation.maxCostUsd ?? null, maxTtftMs: explanation.maxTtftMs ?? null },
  promptRoutes: explanation.promptMatches.map((match) => ({
    pool: match.pool,
    route: match.route ?? null,
    similarity: match.similarity === undefined ? null : Math.round(match.similarity * 1e4) / 1e4,
    closestRoute: match.closestRoute ?? null,
    threshold: match.threshold,
    embeddingModel: match.embeddingModel,
    ...(match.note ? { note: match.note } : {}),
  })),
});

/** The explanation of a plan built by hand (tests): no figures, nobody excluded. */
export const emptyExplanation = (strategy: RoutingStrategy): RoutingExplanation => ({
  strategy,
  ranked: [],
  poolSize: 0,
  excluded: [],
  maxCostUsd: undefined,
  maxTtftMs: undefined,
  promptMatches: [],
});
