import { and, desc, eq } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { ContentPart } from '../core/messages.js';
import type { Db } from '../db/database.js';
import { completions, conversations, messages } from '../db/schema.js';
import type { CompletionRecorder } from './completion-recorder.js';

/** A stored answer, as the Responses surface reads it back: the assistant turn and its completion row. */
export interface StoredResponse {
  messageId: string;
  conversationId: string;
  content: ContentPart[];
  provider: string | null;
  model: string | null;
  /** False for an answer cut short after it started streaming. */
  complete: boolean;
  createdAt: Date;
  /** Whether a later turn follows it in its conversation (it is no longer the conversation's end). */
  continued: boolean;
  completion:
    | {
        promptTokens: number;
        completionTokens: number;
        reasoningTokens: number;
        cachedTokens: number;
        errorCode: string | null;
        createdAt: Date;
      }
    | undefined;
}

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** Reads stored answers by their message id, for `GET /v1/responses/{id}` and `previous_response_id`. */
export class ResponseQueries {
  constructor(
    private readonly db: Db,
    private readonly recorder: CompletionRecorder,
  ) {}

  /** The assistant answer `messageId`, if `principal` may see it. */
  async find(messageId: string, principal: Principal): Promise<StoredResponse | undefined> {
    if (!isUuid(messageId)) return undefined;
    // An answer given a moment ago may still be in the write queue.
    await this.recorder.whenIdle();
    const [row] = await this.db
      .select({
        messageId: messages.id,
        conversationId: messages.conversationId,
        seq: messages.seq,
        role: messages.role,
        content: messages.content,
        provider: messages.provider,
        model: messages.model,
        complete: messages.complete,
        createdAt: messages.createdAt,
        apiKeyId: conversations.apiKeyId,
      })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(eq(messages.id, messageId))
      .limit(1);
    if (row?.role !== 'assistant') return undefined;
    if (!principal.admin && row.apiKeyId !== principal.keyId) return undefined;
    const [[last], [completion]] = await Promise.all([
      this.db
        .select({ seq: messages.seq })
        .from(messages)
        .where(eq(messages.conversationId, row.conversationId))
        .orderBy(desc(messages.seq))
        .limit(1),
      this.db
        .select({
          promptTokens: completions.promptTokens,
          completionTokens: completions.completionTokens,
          reasoningTokens: completions.reasoningTokens,
          cachedTokens: completions.cachedTokens,
          errorCode: completions.errorCode,
          createdAt: completions.createdAt,
        })
        .from(completions)
        .where(
          and(
            eq(completions.responseMessageId, messageId),
            eq(completions.conversationId, row.conversationId),
          ),
        )
        .limit(1),
    ]);
    return {
      messageId: row.messageId,
      conversationId: row.conversationId,
      content: row.content,
      provider: row.provider,
      model: row.model,
      complete: row.complete,
      createdAt: row.createdAt,
      continued: last !== undefined && last.seq !== row.seq,
      completion,
    };
  }
}
