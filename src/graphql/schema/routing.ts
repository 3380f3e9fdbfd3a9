import type { ScoredCandidate } from '../../routing/rank-candidates.js';
import type {
  ExcludedCandidate as CoreExcludedCandidate,
  RoutingExplanation as CoreRoutingExplanation,
  PromptMatch,
} from '../../routing/route-explanation.js';
import { builder } from '../builder.js';
import { picoToDecimalString } from '../decimal.js';
import { completionInputArg, toCompletionInputRequest } from './completion-input.js';
import { RoutingStrategy } from './routing-strategy.js';
import { Decimal } from './scalars.js';

const RoutingBound = builder.enumType('RoutingBound', {
  description: 'A bound of the request (SPEC §10) that a candidate broke.',
  values: {
    MAX_COST_USD: { value: 'maxCostUsd', description: 'Expected cost of this request above maxCostUsd.' },
    MAX_TTFT_MS: { value: 'maxTtftMs', description: 'Observed p95 time to first token above maxTtftMs.' },
  } as const,
});

const CandidateRole = builder.enumType('CandidateRole', {
  values: {
    POOL: { value: 'pool', description: 'Ranked by the strategy.' },
    FALLBACK: { value: 'fallback', description: 'Tried in order after the pool.' },
  } as const,
});

interface RankedEntry {
  entry: ScoredCandidate;
  rank: number;
  pool: boolean;
}

const RoutedCandidate = builder.objectRef<RankedEntry>('RoutedCandidate').implement({
  description: 'A candidate in the order it is tried, with the figures that ranked it.',
  fields: (t) => ({
    model: t.string({ resolve: ({ entry }) => entry.candidate.info.id }),
    rank: t.int({ description: '1 is tried first.', resolve: ({ rank }) => rank }),
    role: t.field({ type: CandidateRole, resolve: ({ pool }) => (pool ? 'pool' : 'fallback') }),
    expectedCostUsd: t.field({
      type: Decimal,
      nullable: true,
      description:
        'Of this request, from the prompt size and maxTokens (or a typical answer); null: unpriced.',
      resolve: ({ entry }) => (entry.cost === undefined ? null : picoToDecimalString(Math.round(entry.cost))),
    }),
    expectedTtftMs: t.int({
      nullable: true,
      description: 'Moving average of recent times to first token; null: not seen yet.',
      resolve: ({ entry }) => (entry.ttft === undefined ? null : Math.round(entry.ttft)),
    }),
    expectedTotalMs: t.int({
      nullable: true,
      description: 'Expected time to the complete answer; null: not seen yet.',
      resolve: ({ entry }) => (entry.time === undefined ? null : Math.round(entry.time)),
    }),
    errorRate: t.float({
      description: 'Share of failed recent attempts.',
      resolve: ({ entry }) => entry.errorRate,
    }),
    score: t.float({
      nullable: true,
      description: 'The balanced score (lower first); null for fallbacks.',
      resolve: ({ entry, pool }) => (pool ? entry.score : null),
    }),
  }),
});

const ExcludedCandidate = builder.objectRef<CoreExcludedCandidate>('ExcludedCandidate').implement({
  description: 'A named model that planning left out.',
  fields: (t) => ({
    model: t.exposeString('model'),
    reason: t.exposeString('reason'),
    bound: t.field({ type: RoutingBound, nullable: true, resolve: (entry) => entry.bound ?? null }),
  }),
});

const PromptRouteMatch = builder.objectRef<PromptMatch>('PromptRouteMatch').implement({
  description: 'How a prompt-aware pool (`auto`, or a group with routes) was chosen.',
  fields: (t) => ({
    pool: t.exposeString('pool', { description: '"auto" or "group/<name>".' }),
    route: t.string({
      nullable: true,
      description: 'The chosen route; null: the default pool.',
      resolve: (match) => match.route ?? null,
    }),
    similarity: t.float({
      nullable: true,
      description: 'Cosine similarity to the closest route; null when the prompt was not embedded.',
      resolve: (match) => match.similarity ?? null,
    }),
    closestRoute: t.string({ nullable: true, resolve: (match) => match.closestRoute ?? null }),
    threshold: t.exposeFloat('threshold'),
    embeddingModel: t.exposeString('embeddingModel'),
    note: t.string({ nullable: true, resolve: (match) => match.note ?? null }),
  }),
});

export const RoutingExplanation = builder.objectRef<CoreRoutingExplanation>('RoutingExplanation').implement({
  description: 'Why this model (SPEC §10): the ranked candidates with their figures, and who was excluded.',
  fields: (t) => ({
    strategy: t.field({ type: RoutingStrategy, resolve: (explanation) => explanation.strategy }),
    candidates: t.field({
      type: [RoutedCandidate],
      resolve: ({ ranked, poolSize }) =>
        ranked.map((entry, index) => ({ entry, rank: index + 1, pool: index < poolSize })),
    }),
    excluded: t.field({ type: [ExcludedCandidate], resolve: (explanation) => explanation.excluded }),
    maxCostUsd: t.float({ nullable: true, resolve: (explanation) => explanation.maxCostUsd ?? null }),
    maxTtftMs: t.int({ nullable: true, resolve: (explanation) => explanation.maxTtftMs ?? null }),
    promptRoutes: t.field({ type: [PromptRouteMatch], resolve: (explanation) => explanation.promptMatches }),
  }),
});

builder.queryField('route', (t) =>
  t.field({
    type: RoutingExplanation,
    description:
      'A dry run: the routing explanation a completion of this input would carry, with no upstream called, no budget reserved and nothing stored.',
    args: { input: t.arg(completionInputArg) },
    resolve: (_root, args, context) =>
      context.service.explain(
        { ...toCompletionInputRequest(args.input), stream: false },
        context.principal,
        context.startedAt,
      ),
  }),
);
