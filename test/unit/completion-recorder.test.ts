import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completions, conversations, messages } from '../../src/db/schema.js';
import { ApiKeyStore } from '../../src/store/api-key-store.js';
import { type CompletionRecord, CompletionRecorder } from '../../src/store/completion-recorder.js';
import { createTestDatabase, drivers, type TestDatabase } from '../support/test-database.js';

const recordFor = (apiKeyId: string, conversationId: string, isNew: boolean): CompletionRecord => {
  const at = new Date();
  const completionId = randomUUID();
  const answerId = randomUUID();
  return {
    conversation: { id: conversationId, apiKeyId, title: 'batch', isNew, at },
    messages: [
      {
        id: randomUUID(),
        conversationId,
        role: 'user',
        content: [{ type: 'text', text: 'q' }],
        createdAt: at,
      },
      {
        id: answerId,
        conversationId,
        role: 'assistant',
        content: [{ type: 'text', text: 'a' }],
        provider: 'p',
        model: 'm',
        createdAt: at,
      },
    ],
    completion: {
      id: completionId,
      apiKeyId,
      conversationId,
      responseMessageId: answerId,
      provider: 'p',
      model: 'm',
      status: 'succeeded',
      stream: false,
      promptTokens: 3,
      completionTokens: 1,
      inputCost: '0.000000000003',
      outputCost: '0.000000000004',
      totalCost: '0.000000000007',
      latencyMs: 5,
      ttftMs: 2,
      createdAt: at,
    },
    attempts: [
      { completionId, position: 0, provider: 'p', model: 'm', outcome: 'succeeded', latencyMs: 5, ttftMs: 2 },
    ],
  };
};

describe.each(drivers)('CompletionRecorder on %s', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(() => db.drop());

  it('writes a batch in one statement, and one bad record does not sink the others', async () => {
    const key = await new ApiKeyStore(db.database.db).create('batch', ['user']);
    const recorder = new CompletionRecorder(db.database.db, pino({ level: 'silent' }));
    const good = [recordFor(key.id, randomUUID(), true), recordFor(key.id, randomUUID(), true)];
    // Continues a conversation that does not exist (say it was deleted meanwhile): its messages break the foreign key.
    const bad = recordFor(key.id, randomUUID(), false);
    recorder.record(good[0]!);
    recorder.record(bad);
    recorder.record(good[1]!);
    await recorder.whenIdle();
    expect(recorder.lost).toBe(1);
    const stored = await db.database.db.select().from(completions);
    expect(stored.map((row) => row.id).sort()).toEqual(good.map((r) => r.completion.id).sort());
    expect(await db.database.db.select().from(conversations)).toHaveLength(2);
    expect(await db.database.db.select().from(messages)).toHaveLength(4);
    expect(stored[0]).toMatchObject({ totalCost: '0.000000000007', promptTokens: 3, ttftMs: 2 });
  });

  it('lets a conversation continue without waiting on the writes of other conversations', async () => {
    const key = await new ApiKeyStore(db.database.db).create('turns', ['user']);
    const recorder = new CompletionRecorder(db.database.db, pino({ level: 'silent' }));
    const busy = randomUUID();
    const other = randomUUID();
    recorder.record(recordFor(key.id, busy, true));
    let written = false;
    void recorder.whenIdle().then(() => {
      written = true;
    });
    // Another conversation's turn is not in the queue: nothing to wait for.
    await recorder.whenConversationWritten(other);
    expect(written).toBe(false);
    // This one's is: its turn is readable once the wait is over.
    await recorder.whenConversationWritten(busy);
    const stored = await db.database.db.select().from(conversations);
    expect(stored.map((row) => row.id)).toContain(busy);
    // Written: nothing is pending for it any more.
    recorder.record(recordFor(key.id, other, true));
    let waited = false;
    await recorder.whenConversationWritten(busy).then(() => {
      waited = recorder.queued > 0;
    });
    expect(waited).toBe(true);
    await recorder.whenIdle();
  });
});
