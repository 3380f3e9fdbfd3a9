import { z } from 'zod';
import { capabilities } from '../catalog/model-info.js';

/** Wire formats a provider can speak. */
export const providerKinds = ['openai', 'anthropic', 'google', 'openai-compatible'] as const;
export type ProviderKind = (typeof providerKinds)[number];

export const routingStrategies = ['balanced', 'ordered', 'cheapest', 'fastest'] as const;
export type RoutingStrategy = (typeof routingStrategies)[number];

const providerNamePattern = /^[a-z0-9][a-z0-9_-]*$/;

/** An extra provider declared in the config file. */
export const providerConfigSchema = z.strictObject({
  name: z
    .string()
    .regex(providerNamePattern, 'must be lowercase letters, digits, "-" or "_"')
    .refine((name) => name !== 'group', '"group" is reserved: group/<name> names a model group'),
  kind: z.enum(providerKinds),
  baseURL: z.url({ protocol: /^https?$/ }),
  apiKeyEnv: z.string().min(1).optional(),
});

/** What a model is for: chat completions or embeddings. */
export const modelKinds = ['chat', 'embedding'] as const;
export type ModelKind = (typeof modelKinds)[number];

/** A model added to, or overriding, the shipped catalog. */
export const modelConfigSchema = z.strictObject({
  id: z.string().regex(/^[^/\s]+\/\S+$/, 'must be provider/model'),
  contextWindow: z.int().positive().optional(),
  maxOutputTokens: z.int().positive().optional(),
  inputPricePerMTok: z.number().nonnegative().optional(),
  outputPricePerMTok: z.number().nonnegative().optional(),
  cachedInputPricePerMTok: z.number().nonnegative().optional(),
  capabilities: z.array(z.enum(capabilities)).optional(),
  /** `embedding`: served by `POST /v1/embeddings` (priced by input tokens), not by chat; absent: chat. */
  kind: z.enum(modelKinds).optional(),
});

/** When a model's circuit opens and how long it stays open (see src/routing/circuit-breaker.ts). */
export const circuitBreakerConfigSchema = z.strictObject({
  consecutiveFailures: z.int().positive().default(5),
  failureRate: z.number().gt(0).max(1).default(0.5),
  minimumAttempts: z.int().positive().default(10),
  windowMs: z.int().positive().default(60_000),
  cooldownMs: z.int().positive().default(30_000),
});

/** Hedged requests (SPEC §9): a slow first token starts the next candidate beside it. */
export const hedgeConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** The wait before hedging a model with no observed p95 time to first token yet; unset: no hedge then. */
  afterMs: z.int().positive().optional(),
  /** Attempts running at once: 1 turns hedging off; one hedge per answer at most. */
  maxParallel: z.int().min(1).max(2).default(2),
});

export const routingConfigSchema = z.strictObject({
  strategy: z.enum(routingStrategies).default('balanced'),
  timeoutMs: z.int().positive().default(120_000),
  /** Per attempt, the wait for the first token. */
  ttftTimeoutMs: z.int().positive().default(30_000),
  /** Per attempt, the longest silence between two chunks after the first token. */
  idleTimeoutMs: z.int().positive().default(30_000),
  maxRetryAfterMs: z.int().nonnegative().default(30_000),
  /** Try the next candidate after a content-policy refusal (LiteLLM's content_policy_fallbacks). */
  contentFilterFallback: z.boolean().default(false),
  circuitBreaker: circuitBreakerConfigSchema.default(circuitBreakerConfigSchema.parse({})),
  /** After the first token, a retryable failure continues the answer on the next candidate, or ends it. */
  midStream: z.enum(['continue', 'fail']).default('continue'),
  /** At most this many switches of model per answer. */
  maxContinuations: z.int().min(0).max(10).default(2),
  hedge: hedgeConfigSchema.default(hedgeConfigSchema.parse({})),
});

export const limitsConfigSchema = z.strictObject({
  maxBodyBytes: z
    .int()
    .positive()
    .default(10 * 1024 * 1024),
});

/** How API keys are checked. */
export const authConfigSchema = z.strictObject({
  /**
   * How long an active key is remembered between database reads, ms; 0 reads it on every
   * request. Changes made through Switchyard (GraphQL, the keys CLI) apply at once anyway;
   * this bounds only changes made to the table by hand.
   */
  keyCacheTtlMs: z.int().nonnegative().default(30_000),
});

export const searchBackendKinds = ['searxng', 'tavily', 'brave'] as const;
export type SearchBackendKind = (typeof searchBackendKinds)[number];

/** `backend`: our search backend only; `native`: the provider's own search only; `auto`: native where offered. */
export const searchModes = ['backend', 'native', 'auto'] as const;
export type SearchMode = (typeof searchModes)[number];

/** The web search engine used to ground `search: true` requests. */
export const searchBackendConfigSchema = z
  .strictObject({
    kind: z.enum(searchBackendKinds),
    /** Optional for the hosted APIs (their public endpoint); required for a self-hosted SearXNG. */
    baseURL: z.url({ protocol: /^https?$/ }).optional(),
    apiKeyEnv: z.string().min(1).optional(),
    /** How many results become numbered sources. */
    results: z.int().min(1).max(20).default(5),
    timeoutMs: z.int().positive().default(5_000),
    /** US dollars per search, added to the request's costs. */
    pricePerSearch: z.number().nonnegative().default(0),
  })
  .superRefine((backend, context) => {
    if (backend.kind === 'searxng' && backend.baseURL === undefined)
      context.addIssue({ code: 'custom', path: ['baseURL'], message: 'is required for searxng' });
    if (backend.kind !== 'searxng' && backend.apiKeyEnv === undefined)
      context.addIssue({ code: 'custom', path: ['apiKeyEnv'], message: `is required for ${backend.kind}` });
  });

export const searchConfigSchema = z.strictObject({
  backend: searchBackendConfigSchema.optional(),
  mode: z.enum(searchModes).default('auto'),
  /** Fail the completion when the search fails, instead of answering without sources. */
  required: z.boolean().default(false),
});

/** `https://app.example.com`, `http://localhost:5173`: scheme, host and port, as browsers send Origin. */
const isOrigin = (value: string): boolean =>
  URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) && new URL(value).origin === value;

/** Browser origins allowed to call the gateway (exact origins, or `*` said explicitly). */
export const corsConfigSchema = z.strictObject({
  origins: z
    .array(
      z.string().refine((value) => value === '*' || isOrigin(value), {
        message: 'must be "*" or an origin: scheme://host[:port], with no path and no trailing slash',
      }),
    )
    .default([]),
});

/** A model of a pool: `provider/model`, never a group (groups do not nest). */
const poolModelIdSchema = z
  .string()
  .regex(/^[^/\s]+\/\S+$/, 'must be provider/model')
  .refine((id) => !id.startsWith('group/'), 'must name a model, not a group');

/** Similarity a prompt must reach for a route to be chosen (cosine, -1 to 1). */
const thresholdSchema = z.number().min(-1).max(1);

/** One route of prompt-aware routing (SPEC §10): prompts like its utterances go to its models. */
export const promptRouteConfigSchema = z.strictObject({
  name: z.string().min(1),
  utterances: z.array(z.string().min(1)).min(1, 'must have at least one utterance'),
  models: z.array(poolModelIdSchema).min(1, 'must name at least one model'),
});
export type PromptRouteConfig = z.infer<typeof promptRouteConfigSchema>;

/** `group/<name>`: a list of models, or the group's default pool with routes of its own. */
export const groupConfigSchema = z.union(
  [
    z.array(poolModelIdSchema).min(1, 'must name at least one model'),
    z.strictObject({
      models: z.array(poolModelIdSchema).min(1, 'must name at least one model'),
      routes: z.array(promptRouteConfigSchema).optional(),
      threshold: thresholdSchema.optional(),
    }),
  ],
  { error: 'must be a list of provider/model ids or {models, routes?, threshold?}' },
);
export type GroupConfig = z.infer<typeof groupConfigSchema>;

/** The model id `auto` (SPEC §10): the last user message picks the route by meaning. */
export const autoRoutingConfigSchema = z.strictObject({
  /** An embedding model (`kind: embedding`), called through the embeddings path. */
  embeddingModel: z.string().regex(/^[^/\s]+\/\S+$/, 'must be provider/model'),
  threshold: thresholdSchema.default(0.5),
  routes: z.array(promptRouteConfigSchema).default([]),
  defaultModels: z.array(poolModelIdSchema).min(1, 'must name at least one model'),
});
export type AutoRoutingConfig = z.infer<typeof autoRoutingConfigSchema>;

/** The optional YAML/JSON config file. */
export const configFileSchema = z
  .strictObject({
    providers: z.array(providerConfigSchema).default([]),
    models: z.array(modelConfigSchema).default([]),
    routing: routingConfigSchema.default(routingConfigSchema.parse({})),
    limits: limitsConfigSchema.default(limitsConfigSchema.parse({})),
    auth: authConfigSchema.default(authConfigSchema.parse({})),
    search: searchConfigSchema.default(searchConfigSchema.parse({})),
    cors: corsConfigSchema.default(corsConfigSchema.parse({})),
    /** Named pools, addressed as `group/<name>` (SPEC §10). */
    groups: z
      .record(
        z.string().regex(providerNamePattern, 'must be lowercase letters, digits, "-" or "_"'),
        groupConfigSchema,
      )
      .default({}),
    autoRouting: autoRoutingConfigSchema.optional(),
  })
  .superRefine((file, context) => {
    // A group's routes are matched with the one configured embedding model.
    if (file.autoRouting) return;
    for (const [name, group] of Object.entries(file.groups)) {
      if (!Array.isArray(group) && (group.routes?.length ?? 0) > 0)
        context.addIssue({
          code: 'custom',
          path: ['groups', name, 'routes'],
          message: 'need autoRouting.embeddingModel to be configured',
        });
    }
  });
export type ConfigFile = z.infer<typeof configFileSchema>;

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

/** The environment variables of SPEC §1. */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: optionalNonEmpty.pipe(
    z
      .string()
      .regex(/^(postgres(ql)?:\/\/|memory:\/\/)/, 'must start with postgres://, postgresql:// or memory://')
      .optional(),
  ),
  DATA_DIR: z.string().min(1).default('.switchyard'),
  REDIS_URL: optionalNonEmpty.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis://')
      .optional(),
  ),
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  REDIS_PREFIX: z.string().min(1).default('switchyard'),
  ADMIN_API_KEY: optionalNonEmpty.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  SWITCHYARD_CONFIG: optionalNonEmpty,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().optional(),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(10_000),
});
export type Env = z.infer<typeof envSchema>;
