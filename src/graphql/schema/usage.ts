import type { UsageBucket as Bucket, UsageDimension, UsageFigures } from '../../store/usage-queries.js';
import { builder } from '../builder.js';
import { trimDecimal } from '../decimal.js';
import { ModelKind } from './model.js';
import { DateTime, Decimal } from './scalars.js';

const UsageGroupBy = builder.enumType('UsageGroupBy', {
  values: {
    MODEL: { value: 'model' },
    PROVIDER: { value: 'provider' },
    DAY: { value: 'day', description: 'UTC days.' },
    HOUR: { value: 'hour', description: 'UTC hours.' },
    KEY: { value: 'key', description: 'API keys (an admin sees every key; any other key only itself).' },
    KIND: { value: 'kind', description: 'Chat completions apart from embeddings requests.' },
  } as const,
});

export const UsageTotals = builder.objectRef<UsageFigures>('UsageTotals').implement({
  description: 'Aggregates over completions; costs are US dollars, summed exactly in SQL.',
  fields: (t) => ({
    requests: t.exposeInt('requests', { description: 'Completions requested, failed ones included.' }),
    errors: t.exposeInt('errors', { description: 'Completions that failed or were cut short.' }),
    errorRate: t.float({
      description: 'errors / requests; 0 without requests.',
      resolve: (figures) => (figures.requests === 0 ? 0 : figures.errors / figures.requests),
    }),
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    totalTokens: t.int({ resolve: (figures) => figures.promptTokens + figures.completionTokens }),
    reasoningTokens: t.exposeInt('reasoningTokens'),
    cachedTokens: t.exposeInt('cachedTokens'),
    inputTokensCost: t.field({ type: Decimal, resolve: (figures) => trimDecimal(figures.inputCost) }),
    outputTokensCost: t.field({ type: Decimal, resolve: (figures) => trimDecimal(figures.outputCost) }),
    searchCost: t.field({
      type: Decimal,
      description: 'Web search; included in totalTokensCost.',
      resolve: (figures) => trimDecimal(figures.searchCost),
    }),
    totalTokensCost: t.field({ type: Decimal, resolve: (figures) => trimDecimal(figures.totalCost) }),
    meanLatency: t.float({
      nullable: true,
      description: 'Milliseconds; null without completions.',
      resolve: (figures) => figures.meanLatencyMs,
    }),
    meanTtft: t.float({
      nullable: true,
      description: 'Milliseconds to the first token, over completions that had one.',
      resolve: (figures) => figures.meanTtftMs,
    }),
    latencyP50: t.float({
      nullable: true,
      description: 'Median latency in milliseconds (continuous percentile); null without completions.',
      resolve: (figures) => figures.latencyP50Ms,
    }),
    latencyP95: t.float({
      nullable: true,
      description: '95th percentile latency in milliseconds; null without completions.',
      resolve: (figures) => figures.latencyP95Ms,
    }),
    ttftP50: t.float({
      nullable: true,
      description: 'Median time to first token in milliseconds, over completions that had one.',
      resolve: (figures) => figures.ttftP50Ms,
    }),
    ttftP95: t.float({
      nullable: true,
      description: '95th percentile time to first token in milliseconds, over completions that had one.',
      resolve: (figures) => figures.ttftP95Ms,
    }),
  }),
});

const UsageBucket = builder.objectRef<Bucket>('UsageBucket').implement({
  description: 'One group of completions; the dimensions not grouped by are null.',
  fields: (t) => ({
    provider: t.exposeString('provider', { nullable: true }),
    model: t.exposeString('model', { nullable: true }),
    day: t.field({ type: DateTime, nullable: true, resolve: (bucket) => bucket.day }),
    hour: t.field({ type: DateTime, nullable: true, resolve: (bucket) => bucket.hour }),
    keyId: t.exposeID('keyId', { nullable: true }),
    keyName: t.exposeString('keyName', { nullable: true }),
    kind: t.field({
      type: ModelKind,
      nullable: true,
      resolve: (bucket) => (bucket.kind === 'chat' || bucket.kind === 'embedding' ? bucket.kind : null),
    }),
    usage: t.field({ type: UsageTotals, resolve: (bucket) => bucket }),
  }),
});

interface UsageReport {
  from: Date | undefined;
  to: Date | undefined;
  groupBy: UsageDimension[];
}

const Usage = builder.objectRef<UsageReport>('Usage').implement({
  fields: (t) => ({
    from: t.field({ type: DateTime, nullable: true, resolve: (report) => report.from ?? null }),
    to: t.field({ type: DateTime, nullable: true, resolve: (report) => report.to ?? null }),
    totals: t.field({
      type: UsageTotals,
      resolve: (report, _args, context) => context.usage.totals({ ...report, principal: context.principal }),
    }),
    buckets: t.field({
      type: [UsageBucket],
      description:
        'One per distinct combination of the `groupBy` dimensions, in that order; empty without groupBy.',
      resolve: (report, _args, context) =>
        context.usage.buckets({ ...report, principal: context.principal }, report.groupBy),
    }),
  }),
});

builder.queryField('usage', (t) =>
  t.field({
    type: Usage,
    description: 'Your usage (every key’s for an admin) between `from` (inclusive) and `to` (exclusive).',
    args: {
      from: t.arg({ type: DateTime }),
      to: t.arg({ type: DateTime }),
      groupBy: t.arg({ type: [UsageGroupBy], description: 'Any of MODEL, PROVIDER, DAY, HOUR, KEY, KIND.' }),
    },
    validate: [
      (args) => !args.from || !args.to || args.from < args.to,
      { message: 'from must be before to' },
    ],
    resolve: async (_root, args, context) => {
      await context.recorder.whenIdle();
      return {
        from: args.from ?? undefined,
        to: args.to ?? undefined,
        groupBy: [...new Set(args.groupBy ?? [])],
      };
    },
  }),
);
