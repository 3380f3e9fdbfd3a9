import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, attempts, completions, conversations, messages } from '../../src/db/schema.js';
import { readSseEvents } from '../support/sse.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

const echoRequest = (text: string, extra: Record<string, unknown> = {}) => ({
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'You are a helpful assistant.' }] },
    { role: 'user', content: [{ type: 'text', text }] },
  ],
  models: ['local/echo'],
  ...extra,
});

describe.each(drivers)('REST /api/v1/completions on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ driver });
  });
  afterAll(() => t.close());

  const countRows = async () => {
    await t.settled();
    const { db } = t.db.database;
    return {
      completions: (await db.select().from(completions)).length,
      conversations: (await db.select().from(conversations)).length,
      messages: (await db.select().from(messages)).length,
    };
  };

  it('answers with every field of the documented response and stores the conversation', async () => {
    const response = await t.post('/api/v1/completions', echoRequest('Explain how LLM routing works.'));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      provider: 'local',
      model: 'echo',
      conversationTitle: 'Explain how LLM routing works.',
      message: {
        role: 'assistant',
        type: 'text',
        content: [{ type: 'text', text: 'Explain how LLM routing works.' }],
      },
      usage: {
        reasoningTokens: 0,
        costs: { input_tokens_cost: 0, output_tokens_cost: 0, total_tokens_cost: 0 },
      },
      attempts: [{ provider: 'local', model: 'echo', outcome: 'succeeded' }],
    });
    expect(body.responseMessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.conversationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.usage.promptTokens).toBeGreaterThan(0);
    expect(body.usage.completionTokens).toBeGreaterThan(0);
    expect(body.usage.totalTokens).toBe(body.usage.promptTokens + body.usage.completionTokens);
    expect(body.latency).toBeGreaterThanOrEqual(body.ttft);
    expect(body.ttft).toBeGreaterThanOrEqual(0);

    await t.settled();
    const { db } = t.db.database;
    const [completion] = await db
      .select()
      .from(completions)
      .where(eq(completions.responseMessageId, body.responseMessageId));
    expect(completion).toMatchObject({
      conversationId: body.conversationId,
      provider: 'local',
      model: 'echo',
      status: 'succeeded',
      stream: false,
      promptTokens: body.usage.promptTokens,
      completionTokens: body.usage.completionTokens,
      latencyMs: body.latency,
      ttftMs: body.ttft,
    });
    expect(Number(completion!.totalCost)).toBe(0);
    const stored = await db
      .select({ role: messages.role, content: messages.content, id: messages.id })
      .from(messages)
      .where(eq(messages.conversationId, body.conversationId))
      .orderBy(asc(messages.seq));
    expect(stored.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(stored[2]!.id).toBe(body.responseMessageId);
    const storedAttempts = await db.select().from(attempts).where(eq(attempts.completionId, completion!.id));
    expect(storedAttempts).toHaveLength(1);
    const [key] = await db.select().from(apiKeys);
    expect(key!.lastUsedAt).not.toBeNull();
  });

  it('accepts a plain string as message content', async () => {
    const response = await t.post('/api/v1/completions', {
      messages: [{ role: 'user', content: 'plain string works' }],
      models: ['local/echo'],
    });
    expect(response.status).toBe(200);
    expect((await response.json()).message.content[0].text).toBe('plain string works');
  });

  it('streams text events then one done event carrying the whole response', async () => {
    const response = await t.post(
      '/api/v1/completions',
      echoRequest('stream these four words', { stream: true }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readSseEvents(response);
    const texts = events.filter((e) => e.type === 'text');
    const done = events.at(-1)!;
    expect(texts.map((e) => e.text).join('')).toBe('stream these four words');
    expect(texts.length).toBe(4);
    expect(done.type).toBe('done');
    for (const text of texts) {
      expect(text).toMatchObject({
        provider: 'local',
        model: 'echo',
        responseMessageId: done.responseMessageId,
        conversationId: done.conversationId,
      });
    }
    expect(done).toMatchObject({
      message: { content: [{ text: 'stream these four words' }] },
      usage: { costs: {} },
    });
    await t.settled();
    const [row] = await t.db.database.db
      .select()
      .from(completions)
      .where(eq(completions.responseMessageId, done.responseMessageId as string));
    expect(row).toMatchObject({ stream: true, status: 'succeeded' });
  });

  it('continues a conversation: earlier turns are kept and the new ones appended', async () => {
    const first = await (await t.post('/api/v1/completions', echoRequest('first question'))).json();
    const second = await t.post('/api/v1/completions', {
      messages: [{ role: 'user', content: 'second question' }],
      models: ['local/echo'],
      conversationId: first.conversationId,
    });
    expect(second.status).toBe(200);
    const body = await second.json();
    expect(body.conversationId).toBe(first.conversationId);
    expect(body.conversationTitle).toBe('first question');
    // The stored history (system, user, assistant) is part of the prompt now.
    expect(body.usage.promptTokens).toBeGreaterThan(first.usage.promptTokens);
    await t.settled();
    const turns = await t.db.database.db
      .select({ role: messages.role, content: messages.content })
      .from(messages)
      .where(eq(messages.conversationId, first.conversationId))
      .orderBy(asc(messages.seq));
    expect(
      turns.map((turn) => [turn.role, turn.content[0]?.type === 'text' && turn.content[0].text]),
    ).toEqual([
      ['system', 'You are a helpful assistant.'],
      ['user', 'first question'],
      ['assistant', 'first question'],
      ['user', 'second question'],
      ['assistant', 'second question'],
    ]);
  });

  it('rejects invalid requests with 400 naming each field, and stores nothing', async () => {
    const before = await countRows();
    const cases: [unknown, string[]][] = [
      [{ models: ['local/echo'] }, ['messages']],
      [{ messages: [{ role: 'user', content: 'x' }] }, ['models']],
      [
        {
          messages: [{ role: 'robot', content: 'x' }],
          models: ['echo'],
          temperature: 2.5,
          maxTokens: 0,
          maxRetries: 11,
          stream: 'yes',
          conversationId: 'not-a-uuid',
          surprise: true,
        },
        [
          'messages.0.role',
          'models.0',
          'temperature',
          'maxTokens',
          'maxRetries',
          'stream',
          'conversationId',
          'surprise',
        ],
      ],
      [
        {
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }],
          models: ['a/b'],
        },
        ['messages.0.content.0.image_url.url'],
      ],
      [[1, 2, 3], ['body']],
    ];
    for (const [body, fields] of cases) {
      const response = await t.post('/api/v1/completions', body);
      expect(response.status).toBe(400);
      const { error } = await response.json();
      expect(error.code).toBe('invalid_request');
      for (const field of fields) expect(error.message).toContain(field);
    }
    expect(await countRows()).toEqual(before);
  });

  it('rejects malformed JSON and empty bodies with 400', async () => {
    for (const body of ['{"messages": [', '', 'null']) {
      const response = await t.post('/api/v1/completions', body);
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe('invalid_request');
    }
  });

  it('refuses a body over the size limit with 413', async () => {
    const huge = 'x'.repeat(11 * 1024 * 1024);
    const response = await t.post('/api/v1/completions', echoRequest(huge));
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe('payload_too_large');
  });

  it('requires a valid key', async () => {
    const missing = await t.post('/api/v1/completions', echoRequest('hi'), null);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('unauthorized');
    const unknown = await t.post('/api/v1/completions', echoRequest('hi'), 'sy-not-a-real-key');
    expect(unknown.status).toBe(401);
  });

  it("answers 404 for an unknown conversation and for another key's conversation", async () => {
    const unknown = await t.post(
      '/api/v1/completions',
      echoRequest('hi', { conversationId: crypto.randomUUID() }),
    );
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('not_found');

    const other = await t.app.apiKeys.create('other team', ['user']);
    const mine = await (await t.post('/api/v1/completions', echoRequest('private'))).json();
    const response = await t.post(
      '/api/v1/completions',
      echoRequest('peek', { conversationId: mine.conversationId }),
      other.secret,
    );
    expect(response.status).toBe(404);
    const own = await t.post('/api/v1/completions', echoRequest('mine'), other.secret);
    expect(own.status).toBe(200);
  });

  it('answers 422 naming the reason when no candidate can serve the request', async () => {
    const before = await countRows();
    const response = await t.post('/api/v1/completions', {
      messages: [{ role: 'user', content: 'hi' }],
      models: ['nosuch/model', 'local/echo'],
      search: true,
    });
    expect(response.status).toBe(422);
    const { error } = await response.json();
    expect(error.code).toBe('no_eligible_model');
    expect(error.candidates).toEqual([
      { model: 'nosuch/model', reason: expect.stringContaining('unknown provider') },
      { model: 'local/echo', reason: expect.stringContaining('web search') },
    ]);
    expect(await countRows()).toEqual(before);
  });

  it('answers 422 for a built-in provider whose key is not set', async () => {
    const before = await countRows();
    const response = await t.post('/api/v1/completions', {
      messages: [{ role: 'user', content: 'hi' }],
      models: ['openai/gpt-4o'],
    });
    expect(response.status).toBe(422);
    const { error } = await response.json();
    expect(error.code).toBe('no_eligible_model');
    expect(error.candidates).toEqual([
      { model: 'openai/gpt-4o', reason: expect.stringContaining('not configured') },
    ]);
    expect(await countRows()).toEqual(before);
  });
});
