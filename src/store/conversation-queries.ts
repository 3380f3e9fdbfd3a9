import { and, asc, desc, eq, ilike, type SQL, sql } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { ContentPart, MessageRole } from '../core/messages.js';
import type { Db } from '../db/database.js';
import { completions, conversations, messages } from '../db/schema.js';
import type { Citation } from '../search/citation.js';
import { type CompletionFigures, figureColumns, toFigures } from './completion-figures.js';

/** A conversation's place in the listing: its last activity (µs since the epoch, exact) and id. */
export interface ConversationCursor {
  activityMicros: string;
  id: string;
}

export interface ConversationSummary {
  id: string;
  apiKeyId: string;
  title: string;
  createdAt: Date;
  lastActivityAt: Date;
  cursor: ConversationCursor;
}

export interface StoredMessage {
  id: string;
  role: MessageRole;
  content: ContentPart[];
  /** A `tool` turn: the call it answers. */
  toolCallId: string | null;
  provider: string | null;
  model: string | null;
  complete: boolean;
  /** The numbered web sources of a grounded answer; null for every other turn. */
  citations: Citation[] | null;
  createdAt: Date;
}

export interface ConversationPage {
  titleContains: string | undefined;
  after: ConversationCursor | undefined;
  before: ConversationCursor | undefined;
  limit: number;
  /** Read from the oldest end (Relay `last`/`before`); the caller reverses. */
  inverted: boolean;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

// Microseconds keep the cursor exact whatever precision the timestamp was stored with.
const activityMicros = sql<string>`(extract(epoch from ${conversations.lastActivityAt}) * 1000000)::bigint::text`;
const position = sql`(${conversations.lastActivityAt}, ${conversations.id})`;
const cursorPosition = (cursor: ConversationCursor) =>
  sql`(timestamptz 'epoch' + ${cursor.activityMicros}::bigint * interval '1 microsecond', ${cursor.id}::uuid)`;

const summaryColumns = {
  id: conversations.id,
  apiKeyId: conversations.apiKeyId,
  title: conversations.title,
  createdAt: conversations.createdAt,
  lastActivityAt: conversations.lastActivityAt,
  activityMicros,
};

interface SummaryRow extends Omit<ConversationSummary, 'cursor'> {
  activityMicros: string;
}

const toSummary = ({ activityMicros: micros, ...row }: SummaryRow): ConversationSummary => ({
  ...row,
  cursor: { activityMicros: micros, id: row.id },
});

/** Reads and edits conversations for the API; a key sees only its own, an admin every one. */
export class ConversationQueries {
  constructor(private readonly db: Db) {}

  #visibleTo(principal: Principal): SQL | undefined {
    return principal.admin ? undefined : eq(conversations.apiKeyId, principal.keyId);
  }

  /** Newest last activity first (ties by id); `after`/`before` are exclusive. */
  async list(principal: Principal, page: ConversationPage): Promise<ConversationSummary[]> {
    const conditions = [
      this.#visibleTo(principal),
      page.titleContains ? ilike(conversations.title, `%${escapeLike(page.titleContains)}%`) : undefined,
      page.after ? sql`${position} < ${cursorPosition(page.after)}` : undefined,
      page.before ? sql`${position} > ${cursorPosition(page.before)}` : undefined,
    ];
    const order = page.inverted
      ? [asc(conversations.lastActivityAt), asc(conversations.id)]
      : [desc(conversations.lastActivityAt), desc(conversations.id)];
    const rows = await this.db
      .select(summaryColumns)
      .from(conversations)
      .where(and(...conditions))
      .orderBy(...order)
      .limit(page.limit);
    return rows.map(toSummary);
  }

  async get(id: string, principal: Principal): Promise<ConversationSummary | undefined> {
    const [row] = await this.db
      .select(summaryColumns)
      .from(conversations)
      .where(and(eq(conversations.id, id), this.#visibleTo(principal)))
      .limit(1);
    return row ? toSummary(row) : undefined;
  }

  /** Every turn, oldest first. */
  messages(conversationId: string): Promise<StoredMessage[]> {
    return this.db
      .select({
        id: messages.id,
        role: messages.role,
        content: messages.content,
        toolCallId: messages.toolCallId,
        provider: messages.provider,
        model: messages.model,
        complete: messages.complete,
        citations: messages.citations,
        createdAt: messages.createdAt,
      })
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(asc(messages.seq));
  }

  /** Figures over the conversation's completions (failed ones included). */
  async totals(conversationId: string): Promise<CompletionFigures> {
    const [row] = await this.db
      .select(figureColumns)
      .from(completions)
      .where(eq(completions.conversationId, conversationId));
    return toFigures(row!);
  }

  async rename(id: string, title: string, principal: Principal): Promise<ConversationSummary | undefined> {
    const [row] = await this.db
      .update(conversations)
      .set({ title })
      .where(and(eq(conversations.id, id), this.#visibleTo(principal)))
      .returning(summaryColumns);
    return row ? toSummary(row) : undefined;
  }

  /** Deletes the conversation and its messages; its completions stay, for usage and billing. */
  async delete(id: string, principal: Principal): Promise<boolean> {
    const deleted = await this.db
      .delete(conversations)
      .where(and(eq(conversations.id, id), this.#visibleTo(principal)))
      .returning({ id: conversations.id });
    return deleted.length > 0;
  }
}
