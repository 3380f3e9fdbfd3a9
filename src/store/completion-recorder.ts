import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { attempts, completions, messages } from '../db/schema.js';
import { writeCompletionBatch } from './write-completion-batch.js';

/** Everything one request stores, written together or not at all. */
export interface CompletionRecord {
  completion: typeof completions.$inferInsert;
  attempts: (typeof attempts.$inferInsert)[];
  /** Absent when nothing is stored in a conversation (a request that failed before any text). */
  conversation?: { id: string; apiKeyId: string; title: string; isNew: boolean; at: Date };
  messages: (typeof messages.$inferInsert)[];
}

const maxBatch = 500;

/**
 * Writes completions off the hot path. Records queue up while a write is running and go
 * out together in one statement (group commit), so a busy gateway makes few round trips
 * and an idle one writes at once. Readers that need read-your-writes await `whenIdle()`.
 */
export class CompletionRecorder {
  readonly #queue: CompletionRecord[] = [];
  /** Conversations with turns queued or being written → how many records. */
  readonly #pendingTurns = new Map<string, number>();
  #draining: Promise<void> | undefined;
  #lost = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    /** Sees every record as it is queued (metrics). */
    private readonly observe: (record: CompletionRecord) => void = () => {},
  ) {}

  /** Told of every batch once it is written (activity events: published only after the rows exist). */
  onWritten: (records: CompletionRecord[]) => void = () => {};

  record(record: CompletionRecord): void {
    this.observe(record);
    const conversationId = record.conversation?.id;
    if (conversationId)
      this.#pendingTurns.set(conversationId, (this.#pendingTurns.get(conversationId) ?? 0) + 1);
    this.#queue.push(record);
    this.#draining ??= this.#drain();
  }

  /** Resolves once every record queued so far is written (or given up on). */
  whenIdle(): Promise<void> {
    return this.#draining ?? Promise.resolve();
  }

  /**
   * Resolves once the turns of `conversationId` queued so far are written: at once when none
   * is waiting, so continuing one conversation never waits on the writes of others.
   */
  whenConversationWritten(conversationId: string): Promise<void> {
    return this.#pendingTurns.has(conversationId) ? this.whenIdle() : Promise.resolve();
  }

  /** Records waiting to be written. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Records that could not be written, since boot. */
  get lost(): number {
    return this.#lost;
  }

  async #drain(): Promise<void> {
    // Let the current tick's records join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, maxBatch);
      try {
        await this.#write(batch);
      } catch (error) {
        if (batch.length === 1) this.#giveUp(batch[0]!, error);
        // One bad record (say, its conversation was deleted meanwhile) must not sink the others.
        else
          for (const record of batch) await this.#write([record]).catch((err) => this.#giveUp(record, err));
      }
      for (const record of batch) this.#settleTurns(record);
    }
    this.#draining = undefined;
  }

  #settleTurns(record: CompletionRecord): void {
    const conversationId = record.conversation?.id;
    if (!conversationId) return;
    const left = (this.#pendingTurns.get(conversationId) ?? 1) - 1;
    if (left > 0) this.#pendingTurns.set(conversationId, left);
    else this.#pendingTurns.delete(conversationId);
  }

  #giveUp(record: CompletionRecord, error: unknown): void {
    this.#lost++;
    this.logger.error({ err: error, completionId: record.completion.id }, 'could not store a completion');
  }

  async #write(batch: CompletionRecord[]): Promise<void> {
    await writeCompletionBatch(this.db, batch);
    try {
      this.onWritten(batch);
    } catch (error) {
      this.logger.warn({ err: error }, 'a listener of written completions failed');
    }
  }
}
