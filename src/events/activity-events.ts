import { z } from 'zod';
import type { ContentPart } from '../core/messages.js';
import type { Citation } from '../search/citation.js';
import type { CompletionRecord } from '../store/completion-recorder.js';

/**
 * What activity subscribers hear. Events cross instances as JSON through Redis, so they are
 * plain data (dates as ISO strings, money as decimal strings) and are parsed by these
 * schemas when they arrive, like any other input.
 */
const echoSchema = z.object({ provider: z.string(), data: z.record(z.string(), z.unknown()) }).optional();
const contentPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }) }),
  z.object({
    type: z.literal('tool_call'),
    id: z.string(),
    name: z.string(),
    arguments: z.string(),
    echo: echoSchema,
  }),
  z.object({ type: z.literal('reasoning'), text: z.string(), echo: echoSchema }),
]);
const citationSchema = z.object({ index: z.int(), url: z.string(), title: z.string(), snippet: z.string() });

export const completionEventSchema = z.object({
  id: z.string(),
  apiKeyId: z.string(),
  conversationId: z.string().nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  status: z.enum(['succeeded', 'incomplete', 'failed']),
  errorCode: z.string().nullable(),
  stream: z.boolean(),
  promptTokens: z.int(),
  completionTokens: z.int(),
  reasoningTokens: z.int(),
  cachedTokens: z.int(),
  usageEstimated: z.boolean(),
  unpriced: z.boolean(),
  inputCost: z.string(),
  outputCost: z.string(),
  searchCost: z.string(),
  totalCost: z.string(),
  latencyMs: z.int(),
  ttftMs: z.int().nullable(),
  attempts: z.int(),
  createdAt: z.string(),
});

export const conversationEventSchema = z.object({
  conversationId: z.string(),
  apiKeyId: z.string(),
  /** The first turns of a conversation that did not exist before. */
  isNew: z.boolean(),
  messages: z.array(
    z.object({
      id: z.string(),
      role: z.enum(['system', 'user', 'assistant', 'tool']),
      content: z.array(contentPartSchema),
      toolCallId: z.string().nullable(),
      provider: z.string().nullable(),
      model: z.string().nullable(),
      complete: z.boolean(),
      citations: z.array(citationSchema).nullable(),
      createdAt: z.string(),
    }),
  ),
});

/** One finished completion (of any surface), as written. */
export type CompletionEvent = z.infer<typeof completionEventSchema>;
/** Turns appended to one conversation by one completion. */
export type ConversationEvent = z.infer<typeof conversationEventSchema>;
export type ConversationEventMessage = ConversationEvent['messages'][number];

/** The two activity topics and what travels on each. */
export interface ActivityTopics {
  completion: CompletionEvent;
  conversation: ConversationEvent;
}

export const activitySchemas = {
  completion: completionEventSchema,
  conversation: conversationEventSchema,
} as const;

const isoOf = (value: Date | string | undefined): string =>
  value === undefined ? new Date().toISOString() : new Date(value).toISOString();
const moneyOf = (value: string | null | undefined) => value ?? '0';

/** The events of records just written: one completion event each, one conversation event per record with turns. */
export function activityOf(records: CompletionRecord[]): {
  completions: CompletionEvent[];
  conversations: ConversationEvent[];
} {
  const completions: CompletionEvent[] = [];
  const conversations: ConversationEvent[] = [];
  for (const { completion, attempts, conversation, messages } of records) {
    completions.push({
      id: completion.id,
      apiKeyId: completion.apiKeyId,
      conversationId: completion.conversationId ?? null,
      provider: completion.provider ?? null,
      model: completion.model ?? null,
      status: completion.status,
      errorCode: completion.errorCode ?? null,
      stream: completion.stream,
      promptTokens: completion.promptTokens ?? 0,
      completionTokens: completion.completionTokens ?? 0,
      reasoningTokens: completion.reasoningTokens ?? 0,
      cachedTokens: completion.cachedTokens ?? 0,
      usageEstimated: completion.usageEstimated ?? false,
      unpriced: completion.unpriced ?? false,
      inputCost: moneyOf(completion.inputCost),
      outputCost: moneyOf(completion.outputCost),
      searchCost: moneyOf(completion.searchCost),
      totalCost: moneyOf(completion.totalCost),
      latencyMs: completion.latencyMs,
      ttftMs: completion.ttftMs ?? null,
      attempts: attempts.length,
      createdAt: isoOf(completion.createdAt),
    });
    if (conversation && messages.length > 0) {
      conversations.push({
        conversationId: conversation.id,
        apiKeyId: conversation.apiKeyId,
        isNew: conversation.isNew,
        messages: messages.map((message) => ({
          id: message.id,
          role: message.role,
          content: message.content as ContentPart[],
          toolCallId: message.toolCallId ?? null,
          provider: message.provider ?? null,
          model: message.model ?? null,
          complete: message.complete ?? true,
          citations: (message.citations as Citation[] | null | undefined) ?? null,
          createdAt: isoOf(message.createdAt),
        })),
      });
    }
  }
  return { completions, conversations };
}
