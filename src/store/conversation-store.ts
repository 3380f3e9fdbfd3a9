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
    const [conversation] = await this.db
      .select({ id: conversations.id, title: conversations.title, apiKeyId: conversations.apiKeyId })
      .from(conversations)
      .where(eq(conversations.id, id))
      .limit(1);
    if (!conversation || (!principal.admin && conversation.apiKeyId !== principal.keyId)) return undefined;
    const turns = await this.db
      .select({ role: messages.role, content: messages.content, toolCallId: messages.toolCallId })
      .from(messages)
      .where(eq(messages.conversationId, id))
      .orderBy(asc(messages.seq));
    return {
      id: conversation.id,
      title: conversation.title,
      messages: turns.map((turn) =>
        turn.toolCallId === null
          ? { role: turn.role, content: turn.content }
          : { ...turn, toolCallId: turn.toolCallId },
      ),
    };
  }
}
