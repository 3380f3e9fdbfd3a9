import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import type { CompletionRecord } from './completion-recorder.js';

/**
 * One statement writes a whole batch: every row travels in a single JSON parameter and
 * data-modifying CTEs insert it, so a batch costs one round trip and almost no query
 * building, whatever its size. A single statement is atomic: all of it or nothing.
 * Foreign keys between rows of the same batch (a new conversation and its messages) are
 * checked at the end of the statement, when both exist.
 *
 * The column lists here must follow src/db/schema.ts; the end-to-end tests read every
 * column back.
 */
const batchStatement = (payload: string) => sql`
with input as (select ${payload}::jsonb as j),
new_conversations as (
  insert into conversations (id, api_key_id, title, created_at, last_activity_at)
  select x.id, x.api_key_id, x.title, x.at, x.at
  from input, jsonb_to_recordset(input.j->'conversations') as x(id uuid, api_key_id uuid, title text, at timestamptz)
),
touched_conversations as (
  update conversations c set last_activity_at = greatest(c.last_activity_at, x.at)
  from input, jsonb_to_recordset(input.j->'touched') as x(id uuid, at timestamptz)
  where c.id = x.id
),
new_messages as (
  insert into messages (id, conversation_id, role, content, tool_call_id, provider, model, complete, citations, created_at)
  select x.id, x.conversation_id, x.role, x.content, x.tool_call_id, x.provider, x.model, x.complete, x.citations,
    x.created_at
  from input, jsonb_to_recordset(input.j->'messages') as x(
    pos int, id uuid, conversation_id uuid, role text, content jsonb, tool_call_id text, provider text, model text,
    complete boolean, citations jsonb, created_at timestamptz)
  order by x.pos
),
new_completions as (
  insert into completions (id, api_key_id, conversation_id, response_message_id, kind, provider, model, status,
    error_code, stream, prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens, usage_estimated,
    unpriced, input_cost, output_cost, search_cost, total_cost, latency_ms, ttft_ms, created_at)
  select x.id, x.api_key_id, x.conversation_id, x.response_message_id, x.kind, x.provider, x.model, x.status,
    x.error_code, x.stream, x.prompt_tokens, x.completion_tokens, x.reasoning_tokens, x.cached_tokens,
    x.usage_estimated, x.unpriced, x.input_cost, x.output_cost, x.search_cost, x.total_cost, x.latency_ms,
    x.ttft_ms, x.created_at
  from input, jsonb_to_recordset(input.j->'completions') as x(
    id uuid, api_key_id uuid, conversation_id uuid, response_message_id uuid, kind text, provider text,
    model text, status text, error_code text, stream boolean, prompt_tokens int, completion_tokens int,
    reasoning_tokens int, cached_tokens int, usage_estimated boolean, unpriced boolean, input_cost numeric,
    output_cost numeric, search_cost numeric, total_cost numeric, latency_ms int, ttft_ms int,
    created_at timestamptz)
),
new_attempts as (
  insert into attempts (completion_id, position, provider, model, outcome, error_kind, http_status, latency_ms,
    ttft_ms, prompt_tokens, completion_tokens, usage_estimated, cost, continued_at, hedged)
  select x.completion_id, x.position, x.provider, x.model, x.outcome, x.error_kind, x.http_status, x.latency_ms,
    x.ttft_ms, x.prompt_tokens, x.completion_tokens, x.usage_estimated, x.cost, x.continued_at, x.hedged
  from input, jsonb_to_recordset(input.j->'attempts') as x(
    completion_id uuid, position int, provider text, model text, outcome text, error_kind text,
    http_status int, latency_ms int, ttft_ms int, prompt_tokens int, completion_tokens int,
    usage_estimated boolean, cost numeric, continued_at int, hedged boolean)
),
used_keys as (
  update api_keys set last_used_at = now()
  where id in (select jsonb_array_elements_text(input.j->'keys')::uuid from input)
)
select 1`;

/** The batch as the JSON the statement reads (snake_case columns, ISO timestamps). */
function toPayload(batch: readonly CompletionRecord[]): string {
  const conversations: unknown[] = [];
  const touched = new Map<string, Date>();
  const messages: unknown[] = [];
  const completions: unknown[] = [];
  const attempts: unknown[] = [];
  const keys = new Set<string>();
  for (const record of batch) {
    const { conversation, completion: c } = record;
    if (conversation?.isNew) {
      conversations.push({
        id: conversation.id,
        api_key_id: conversation.apiKeyId,
        title: conversation.title,
        at: conversation.at,
      });
    } else if (conversation) {
      const previous = touched.get(conversation.id);
      if (!previous || previous < conversation.at) touched.set(conversation.id, conversation.at);
    }
    for (const m of record.messages) {
      messages.push({
        pos: messages.length,
        id: m.id,
        conversation_id: m.conversationId,
        role: m.role,
        content: m.content,
        tool_call_id: m.toolCallId ?? null,
        provider: m.provider ?? null,
        model: m.model ?? null,
        complete: m.complete ?? true,
        citations: m.citations ?? null,
        created_at: m.createdAt ?? new Date(),
      });
    }
    completions.push({
      id: c.id,
      api_key_id: c.apiKeyId,
      conversation_id: c.conversationId ?? null,
      response_message_id: c.responseMessageId ?? null,
      kind: c.kind ?? 'chat',
      provider: c.provider ?? null,
      model: c.model ?? null,
      status: c.status,
      error_code: c.errorCode ?? null,
      stream: c.stream,
      prompt_tokens: c.promptTokens ?? 0,
      completion_tokens: c.completionTokens ?? 0,
      reasoning_tokens: c.reasoningTokens ?? 0,
      cached_tokens: c.cachedTokens ?? 0,
      usage_estimated: c.usageEstimated ?? false,
      unpriced: c.unpriced ?? false,
      input_cost: c.inputCost ?? '0',
      output_cost: c.outputCost ?? '0',
      search_cost: c.searchCost ?? '0',
      total_cost: c.totalCost ?? '0',
      latency_ms: c.latencyMs,
      ttft_ms: c.ttftMs ?? null,
      created_at: c.createdAt ?? new Date(),
    });
    for (const a of record.attempts) {
      attempts.push({
        completion_id: a.completionId,
        position: a.position,
        provider: a.provider,
        model: a.model,
        outcome: a.outcome,
        error_kind: a.errorKind ?? null,
        http_status: a.httpStatus ?? null,
        latency_ms: a.latencyMs,
        ttft_ms: a.ttftMs ?? null,
        prompt_tokens: a.promptTokens ?? 0,
        completion_tokens: a.completionTokens ?? 0,
        usage_estimated: a.usageEstimated ?? false,
        cost: a.cost ?? '0',
        continued_at: a.continuedAt ?? null,
        hedged: a.hedged ?? false,
      });
    }
    keys.add(c.apiKeyId);
  }
  return JSON.stringify({
    conversations,
    touched: [...touched].map(([id, at]) => ({ id, at })),
    messages,
    completions,
    attempts,
    keys: [...keys],
  });
}

/** Writes the records of one batch in one atomic statement. */
export async function writeCompletionBatch(db: Db, batch: readonly CompletionRecord[]): Promise<void> {
  await db.execute(batchStatement(toPayload(batch)));
}
