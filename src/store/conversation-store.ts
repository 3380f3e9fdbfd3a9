import { asc, eq } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { ChatMessage } from '../core/messages.js';
import type { Db } from '../db/database.js';
import { conversations, messages } from '../db/schema.js';

export interface StoredConversation {
  id: string;
  title: string;
  /** Every stored turn, system messages included, oldest first. */
  messages: ChatMessage[];
}

/** Reads conversations for the completion path. */
export class ConversationStore {
  constructor(private readonly db: Db) {}

  /** The conversation with its turns, if `principal` may see it. */
  async load(id: string, principal: Principal): Promise<StoredConversation | undefined> {
    // One round trip: the conversation's row beside each of its turns (one row with null
    // turn columns when it has none).
    const rows = await this.db
      .select({
        title: conversations.title,
        apiKeyId: conversations.apiKeyId,
        role: messages.role,
        content: messages.content,
        toolCallId: messages.toolCallId,
      })
      .from(conversations)
      .leftJoin(messages, eq(messages.conversationId, conversations.id))
      .where(eq(conversations.id, id))
      .orderBy(asc(messages.seq));
    const [first] = rows;
    if (!first || (!principal.admin && first.apiKeyId !== principal.keyId)) return undefined;
    const turns: ChatMessage[] = [];
    for (const { role, content, toolCallId } of rows) {
      if (role === null || content === null) continue;
      turns.push(toolCallId === null ? { role, content } : { role, content, toolCallId });
    }
    return { id, title: first.title, messages: turns };
  }
}
