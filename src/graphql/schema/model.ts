import type { ModelInfo } from '../../catalog/model-info.js';
import { isEmbeddingModel } from '../../embeddings/embedding-catalog.js';
import { builder } from '../builder.js';
import { perMTokFromPico } from '../decimal.js';
import { Decimal } from './scalars.js';

const Capability = builder.enumType('Capability', {
  values: {
    VISION: { value: 'vision' },
    SEARCH: { value: 'search' },
    TOOLS: { value: 'tools' },
    STRUCTURED_OUTPUT: { value: 'structured_output' },
    REASONING: { value: 'reasoning' },
    LOGPROBS: {
      value: 'logprobs',
      description: 'Returns log probabilities of its tokens (OpenAI `logprobs`).',
    },
    MULTIPLE_CHOICES: {
      value: 'multiple_choices',
      description: 'Samples several answers in one request (OpenAI `n`).',
    },
  } as const,
});

export const ModelKind = builder.enumType('ModelKind', {
  values: {
    CHAT: { value: 'chat', description: 'Serves completions (REST, GraphQL, /v1/chat/completions).' },
    EMBEDDING: { value: 'embedding', description: 'Serves POST /v1/embeddings; priced by input tokens.' },
  } as const,
});

const ModelPrices = builder.objectRef<NonNullable<ModelInfo['prices']>>('ModelPrices').implement({
  description: 'US dollars per million tokens.',
  fields: (t) => ({
    inputPerMTok: t.field({ type: Decimal, resolve: (prices) => perMTokFromPico(prices.input) }),
    outputPerMTok: t.field({ type: Decimal, resolve: (prices) => perMTokFromPico(prices.output) }),
    cachedInputPerMTok: t.field({ type: Decimal, resolve: (prices) => perMTokFromPico(prices.cachedInput) }),
  }),
});

export const Model = builder.objectRef<ModelInfo>('Model').implement({
  description: 'A model of the catalog.',
  fields: (t) => ({
    id: t.exposeID('id', { description: '`provider/model`, as requests name it.' }),
    provider: t.exposeString('provider'),
    model: t.exposeString('model'),
    kind: t.field({ type: ModelKind, resolve: (model) => (isEmbeddingModel(model) ? 'embedding' : 'chat') }),
    contextWindow: t.int({ nullable: true, resolve: (model) => model.contextWindow ?? null }),
    maxOutputTokens: t.int({ nullable: true, resolve: (model) => model.maxOutputTokens ?? null }),
    prices: t.field({
      type: ModelPrices,
      nullable: true,
      description: 'Null when the model is unpriced: it is served at zero cost.',
      resolve: (model) => model.prices ?? null,
    }),
    capabilities: t.field({ type: [Capability], resolve: (model) => [...model.capabilities].sort() }),
    configured: t.boolean({
      description: 'Its provider is configured (its key is set), so requests can use it.',
      resolve: (model, _args, context) => context.registry.get(model.provider)?.configured ?? false,
    }),
    // Live health (circuit, TTFT/latency percentiles, error rate) is added in ./model-health.ts.
  }),
});

builder.queryField('models', (t) =>
  t.field({
    type: [Model],
    description: 'The catalog: the shipped models plus those of the config file (chat and embedding), by id.',
    resolve: (_root, _args, context) =>
      [...context.catalog.list(), ...context.embeddingModels.list()].sort((a, b) => a.id.localeCompare(b.id)),
  }),
);
