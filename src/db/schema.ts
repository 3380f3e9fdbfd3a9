import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { ContentPart } from '../core/messages.js';
import type { Citation } from '../search/citation.js';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
/** Dollars with 12 decimal places: exact for per-token prices. */
const money = (name: string) => numeric(name, { precision: 24, scale: 12 }).notNull().default('0');

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** The first characters of the secret, shown to identify a key. */
    prefix: text('prefix').notNull(),
    /** SHA-256 of the secret, hex. */
    hash: text('hash').notNull(),
    scopes: text('scopes').array().notNull().default(sql`'{user}'::text[]`),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    /** Spending cap in dollars per `budgetPeriod`; null: no budget. */
    budgetUsd: numeric('budget_usd', { precision: 24, scale: 12 }),
    budgetPeriod: text('budget_period', { enum: ['total', 'daily', 'monthly'] })
      .notNull()
      .default('total'),
    /** Settled spend of the current budget window. */
    budgetSpentUsd: money('budget_spent_usd'),
    /** Held by requests in flight: their largest possible cost, until they settle. */
    budgetReservedUsd: money('budget_reserved_usd'),
    /** Start (UTC) of the window `budgetSpentUsd` belongs to; null for the `total` period. */
    budgetWindowStart: timestamp('budget_window_start', { withTimezone: true, mode: 'date' }),
    requestsPerMinute: integer('requests_per_minute'),
    tokensPerMinute: integer('tokens_per_minute'),
    maxConcurrentRequests: integer('max_concurrent_requests'),
    /** `provider` or `provider/model` entries; null: every model. */
    allowedModels: text('allowed_models').array(),
  },
  (table) => [
    uniqueIndex('api_keys_hash_idx').on(table.hash),
    check('api_keys_budget_period_check', sql`${table.budgetPeriod} in ('total', 'daily', 'monthly')`),
  ],
);

/**
 * One row per budget reservation in flight; `api_keys.budget_reserved_usd` is their sum.
 * A reservation whose request never settled (its instance died) is swept once it expires.
 */
export const budgetReservations = pgTable(
  'budget_reservations',
  {
    id: uuid('id').primaryKey(),
    apiKeyId: uuid('api_key_id')
      .notNull()
      .references(() => apiKeys.id, { onDelete: 'cascade' }),
    amountUsd: numeric('amount_usd', { precision: 24, scale: 12 }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('budget_reservations_key_expiry_idx').on(table.apiKeyId, table.expiresAt)],
);

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey(),
    apiKeyId: uuid('api_key_id')
      .notNull()
      .references(() => apiKeys.id),
    title: text('title').notNull(),
    createdAt: createdAt(),
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true, mode: 'date' })
      .notNull()
      .defaultNow(),
  },
  (table) => [
    // The GraphQL listing: newest last activity first, ties by id, per key or (admin) for all.
    index('conversations_key_activity_idx').on(table.apiKeyId, table.lastActivityAt.desc(), table.id.desc()),
    index('conversations_activity_idx').on(table.lastActivityAt.desc(), table.id.desc()),
    // The title filter (`ILIKE '%…%'`): trigrams, so a page does not scan every title (pg_trgm).
    index('conversations_title_trgm_idx').using('gin', sql`${table.title} gin_trgm_ops`),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    /** Insertion order: turns are read back by it. */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    role: text('role', { enum: ['system', 'user', 'assistant', 'tool'] }).notNull(),
    content: jsonb('content').$type<ContentPart[]>().notNull(),
    /** A `tool` turn: the id of the call it answers. */
    toolCallId: text('tool_call_id'),
    provider: text('provider'),
    model: text('model'),
    /** False for an assistant answer cut short after it started streaming. */
    complete: boolean('complete').notNull().default(true),
    /** The numbered web sources an assistant answer was grounded in (`search: true`). */
    citations: jsonb('citations').$type<Citation[]>(),
    createdAt: createdAt(),
  },
  (table) => [index('messages_conversation_seq_idx').on(table.conversationId, table.seq)],
);

export const completions = pgTable(
  'completions',
  {
    id: uuid('id').primaryKey(),
    apiKeyId: uuid('api_key_id')
      .notNull()
      .references(() => apiKeys.id),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    responseMessageId: uuid('response_message_id'),
    /** `embedding`: a `POST /v1/embeddings` request, billed by input tokens, in no conversation. */
    kind: text('kind', { enum: ['chat', 'embedding'] })
      .notNull()
      .default('chat'),
    provider: text('provider'),
    model: text('model'),
    status: text('status', { enum: ['succeeded', 'incomplete', 'failed'] }).notNull(),
    errorCode: text('error_code'),
    stream: boolean('stream').notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    reasoningTokens: integer('reasoning_tokens').notNull().default(0),
    cachedTokens: integer('cached_tokens').notNull().default(0),
    /** Usage counted by our tokenizer because the upstream reported none. */
    usageEstimated: boolean('usage_estimated').notNull().default(false),
    /** The model has no price in the catalog; costs are zero. */
    unpriced: boolean('unpriced').notNull().default(false),
    inputCost: money('input_cost'),
    outputCost: money('output_cost'),
    /** Paid to the web search backend; included in total_cost. */
    searchCost: money('search_cost'),
    totalCost: money('total_cost'),
    latencyMs: integer('latency_ms').notNull(),
    ttftMs: integer('ttft_ms'),
    createdAt: createdAt(),
  },
  (table) => [
    index('completions_key_created_idx').on(table.apiKeyId, table.createdAt),
    index('completions_created_idx').on(table.createdAt),
    index('completions_conversation_idx').on(table.conversationId),
    // Message.completion: the completion behind each assistant turn of an opened conversation.
    index('completions_response_message_idx').on(table.responseMessageId),
    check('completions_kind_check', sql`${table.kind} in ('chat', 'embedding')`),
  ],
);

export const attempts = pgTable(
  'attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    completionId: uuid('completion_id')
      .notNull()
      .references(() => completions.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    outcome: text('outcome', { enum: ['succeeded', 'failed', 'incomplete', 'cancelled'] }).notNull(),
    errorKind: text('error_kind'),
    httpStatus: integer('http_status'),
    latencyMs: integer('latency_ms').notNull(),
    ttftMs: integer('ttft_ms'),
    /** What this attempt used and costs at its own model's prices (SPEC §9: the ledger per attempt). */
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    usageEstimated: boolean('usage_estimated').notNull().default(false),
    cost: money('cost'),
    /** A continuation: how many characters of the answer had been sent when it started. */
    continuedAt: integer('continued_at'),
    /** Started beside a slower attempt. */
    hedged: boolean('hedged').notNull().default(false),
    createdAt: createdAt(),
  },
  (table) => [index('attempts_completion_idx').on(table.completionId)],
);

/**
 * Vectors of prompt-aware routing's example utterances (SPEC §10), per embedding model, so
 * a restart does not embed them again.
 */
export const routeEmbeddings = pgTable(
  'route_embeddings',
  {
    model: text('model').notNull(),
    text: text('text').notNull(),
    vector: jsonb('vector').$type<number[]>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.model, table.text] })],
);

/**
 * Usage per UTC day, provider, model and kind, rolled up from `completions` by
 * src/store/usage-rollup.ts, so that usage over all keys reads one row per day and model
 * instead of every completion. Exact: sums, and the distribution of latency and time to first
 * token as counts per millisecond value (percentiles computed from them are the same as from
 * the rows). Provider and model are '' where the completion had none.
 */
export const usageDaily = pgTable(
  'usage_daily',
  {
    day: timestamp('day', { withTimezone: true, mode: 'date' }).notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    kind: text('kind').notNull(),
    requests: bigint('requests', { mode: 'number' }).notNull(),
    errors: bigint('errors', { mode: 'number' }).notNull(),
    promptTokens: bigint('prompt_tokens', { mode: 'number' }).notNull(),
    completionTokens: bigint('completion_tokens', { mode: 'number' }).notNull(),
    reasoningTokens: bigint('reasoning_tokens', { mode: 'number' }).notNull(),
    cachedTokens: bigint('cached_tokens', { mode: 'number' }).notNull(),
    inputCost: numeric('input_cost').notNull(),
    outputCost: numeric('output_cost').notNull(),
    searchCost: numeric('search_cost').notNull(),
    totalCost: numeric('total_cost').notNull(),
    latencySum: bigint('latency_sum', { mode: 'number' }).notNull(),
    ttftSum: bigint('ttft_sum', { mode: 'number' }).notNull(),
    ttftCount: bigint('ttft_count', { mode: 'number' }).notNull(),
    /** Milliseconds → completions: `{"812": 3, ...}`. */
    latencyCounts: jsonb('latency_counts').$type<Record<string, number>>().notNull(),
    ttftCounts: jsonb('ttft_counts').$type<Record<string, number>>().notNull(),
  },
  (table) => [primaryKey({ columns: [table.day, table.provider, table.model, table.kind] })],
);

/**
 * Days whose completions changed since they were rolled up (or were never rolled up):
 * kept by triggers on `completions`. Usage reads such a day from `completions` itself until
 * the rollup has caught up; `version` grows with each change, so a rollup that raced a late
 * write leaves the day marked.
 */
export const usageDirtyDays = pgTable('usage_dirty_days', {
  day: timestamp('day', { withTimezone: true, mode: 'date' }).primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull().default(1),
});
