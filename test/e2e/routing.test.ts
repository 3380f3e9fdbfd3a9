import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attempts, completions, messages } from '../../src/db/schema.js';
import { readSseEvents } from '../support/sse.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { openaiChat, startUpstream, type Upstream } from '../upstreams/index.js';

const serverError = () => openaiChat.error(500, { message: 'The server had an error', type: 'server_error' });
const ok = (...pieces: string[]) => openaiChat.stream(pieces.length > 0 ? pieces : ['Hello', ' there']);
const ask = (extra: Record<string, unknown>) => ({
  messages: [{ role: 'user', content: 'Route me' }],
  ...extra,
});

/**
 * Two OpenAI-format upstreams that fail on script: `primary` as provider openai, `backup`
 * as a config-file OpenAI-compatible provider. Every test checks what each upstream
 * received and what was stored.
 */
describe.each(drivers)('routing through the real server on %s', (driver) => {
  let primary: Upstream;
  let backup: Upstream;
  let t: TestApp;

  beforeAll(async () => {
    primary = await startUpstream();
    backup = await startUpstream();
    t = await startTestApp({
      driver,
      random: () => 0,
      env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${primary.url}/v1`, BACKUP_API_KEY: 'backup-key' },
      configFile: {
        providers: [
          {
            name: 'backup',
            kind: 'openai-compatible',
            baseURL: `${backup.url}/v1`,
            apiKeyEnv: 'BACKUP_API_KEY',
          },
        ],
        models: [{ id: 'backup/steady', inputPricePerMTok: 0.5, outputPricePerMTok: 4 }],
        routing: {
          strategy: 'ordered',
          ttftTimeoutMs: 400,
          maxRetryAfterMs: 2_000,
          circuitBreaker: { cooldownMs: 300 },
        },
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await primary.close();
    await backup.close();
  });
  beforeEach(() => {
    primary.reset();
    backup.reset();
  });

  const stored = async (responseBody: { responseMessageId?: string }) => {
    await t.settled();
    const { db } = t.db.database;
    const [completion] = await db
      .select()
      .from(completions)
      .where(eq(completions.responseMessageId, responseBody.responseMessageId!));
    const tries = await db
      .select()
      .from(attempts)
      .where(eq(attempts.completionId, completion!.id))
      .orderBy(attempts.position);
    return { completion: completion!, attempts: tries };
  };

  it('falls back to fallback_models after a 500, and stores both attempts', async () => {
    primary.reply(serverError());
    backup.reply(ok('From', ' backup'));
    const response = await t.post(
      '/api/v1/completions',
      ask({ models: ['openai/model-0'], fallback_models: ['backup/steady'], maxRetries: 0 }),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      provider: 'backup',
      model: 'steady',
      message: { content: [{ text: 'From backup' }] },
    });
    expect(
      body.attempts.map((a: { provider: string; outcome: string; status: number | null }) => [
        a.provider,
        a.outcome,
        a.status,
      ]),
    ).toEqual([
      ['openai', 'failed', 500],
      ['backup', 'succeeded', null],
    ]);
    expect(primary.received).toHaveLength(1);
    expect(backup.received).toHaveLength(1);
    const { completion, attempts: tries } = await stored(body);
    expect(completion).toMatchObject({ provider: 'backup', status: 'succeeded' });
    expect(tries.map((a) => [a.provider, a.outcome, a.errorKind, a.httpStatus])).toEqual([
      ['openai', 'failed', 'server_error', 500],
      ['backup', 'succeeded', null, null],
    ]);
  });

  it('waits for retry-after on a 429, then retries the same model', async () => {
    primary.reply(
      openaiChat.error(429, { message: 'Rate limit reached', type: 'requests' }, { 'retry-after': '1' }),
      ok(),
    );
    const started = performance.now();
    const response = await t.post('/api/v1/completions', ask({ models: ['openai/model-1'], maxRetries: 2 }));
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(primary.received).toHaveLength(2);
    const { attempts: tries } = await stored(await response.json());
    expect(tries.map((a) => a.errorKind)).toEqual(['rate_limited', null]);
  });

  it('answers 429 with Retry-After when every candidate was rate limited', async () => {
    const limited = () =>
      openaiChat.error(429, { message: 'Rate limit reached', type: 'requests' }, { 'retry-after': '20' });
    primary.reply(limited());
    backup.reply(limited());
    const response = await t.post(
      '/api/v1/completions',
      ask({ models: ['openai/model-2', 'backup/steady'] }),
    );
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('20');
    expect((await response.json()).error).toMatchObject({
      code: 'rate_limited',
      attempts: [{ provider: 'openai' }, { provider: 'backup' }],
    });
    // 20 s is over routing.maxRetryAfterMs: neither was retried.
    expect(primary.received).toHaveLength(1);
    expect(backup.received).toHaveLength(1);
  });

  it('retries a flaky model until it succeeds on the third try with maxRetries 2', async () => {
    primary.reply(
      serverError(),
      openaiChat.error(503, { message: 'overloaded', type: 'server_error' }),
      ok('third', ' time'),
    );
    const response = await t.post(
      '/api/v1/completions',
      ask({ models: ['openai/model-3'], fallback_models: ['backup/steady'], maxRetries: 2 }),
    );
    expect(response.status).toBe(200);
    expect((await response.json()).message.content[0].text).toBe('third time');
    expect(primary.received).toHaveLength(3);
    expect(backup.received).toHaveLength(0);
  });

  it('moves on without retrying after a context-length error', async () => {
    primary.reply(
      openaiChat.error(400, {
        message: "This model's maximum context length is 128000 tokens.",
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
      }),
    );
    backup.reply(ok());
    const response = await t.post(
      '/api/v1/completions',
      ask({ models: ['openai/model-4', 'backup/steady'], maxRetries: 5 }),
    );
    expect(response.status).toBe(200);
    expect(primary.received).toHaveLength(1);
    const { attempts: tries } = await stored(await response.json());
    expect(tries.map((a) => a.errorKind)).toEqual(['context_length_exceeded', null]);
  });

  it('abandons a silent upstream at the TTFT deadline, closing its request, and falls back', async () => {
    primary.reply({ ...ok(), firstByteDelayMs: 10_000 });
    backup.reply(ok('in', ' time'));
    const started = performance.now();
    const response = await t.post(
      '/api/v1/completions',
      ask({ models: ['openai/model-5'], fallback_models: ['backup/steady'], maxRetries: 0 }),
    );
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(5_000);
    await primary.received[0]!.clientClosed;
    const { attempts: tries } = await stored(await response.json());
    expect(tries[0]).toMatchObject({ provider: 'openai', outcome: 'failed', errorKind: 'timeout' });
    expect(tries[0]!.latencyMs).toBeGreaterThanOrEqual(390);
  });

  it('falls back transparently when a stream drops before its first token', async () => {
    primary.reply({ ...ok(), chunks: ok().chunks!.slice(0, 1), end: 'destroy' });
    backup.reply(ok('safe'));
    const response = await t.post(
      '/api/v1/completions',
      ask({ models: ['openai/model-6', 'backup/steady'], maxRetries: 0, stream: true }),
    );
    expect(response.status).toBe(200);
    const events = await readSseEvents(response);
    expect(events.filter((e) => e.type === 'text').map((e) => [e.provider, e.text])).toEqual([
      ['backup', 'safe'],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'done', provider: 'backup' });
  });

  it('ends the stream with an error event after the first token when no candidate can continue, keeping and billing the partial answer', async () => {
    const full = ok('Partial', ' answer', ' never', ' ends');
    primary.reply({ ...full, chunks: full.chunks!.slice(0, 3), end: 'destroy' });
    backup.reply(ok('unused'));
    const response = await t.post(
      '/api/v1/completions',
      ask({ models: ['openai/model-7'], maxRetries: 2, stream: true }),
    );
    expect(response.status).toBe(200);
    const events = await readSseEvents(response);
    // Fragments that arrive in one network read may travel as one event: compare the text.
    expect(
      events
        .filter((e) => e.type === 'text')
        .map((e) => e.text)
        .join(''),
    ).toBe('Partial answer');
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'upstream_failed' } });
    expect(backup.received).toHaveLength(0);
    expect(primary.received).toHaveLength(1);

    await t.settled();
    const { db } = t.db.database;
    const responseMessageId = events[0]!.responseMessageId as string;
    const [row] = await db
      .select()
      .from(completions)
      .where(eq(completions.responseMessageId, responseMessageId));
    expect(row).toMatchObject({ status: 'incomplete', errorCode: 'upstream_failed', usageEstimated: true });
    expect(row!.completionTokens).toBeGreaterThan(0);
    const [answer] = await db.select().from(messages).where(eq(messages.id, responseMessageId));
    expect(answer).toMatchObject({ complete: false, content: [{ type: 'text', text: 'Partial answer' }] });
  });

  it('opens the circuit after repeated failures, then closes it when a probe succeeds', async () => {
    primary.replyByDefault(serverError());
    for (let i = 0; i < 5; i++) {
      const failed = await t.post(
        '/api/v1/completions',
        ask({ models: ['openai/gpt-4o-mini'], maxRetries: 0 }),
      );
      expect(failed.status).toBe(502);
    }
    expect(primary.received).toHaveLength(5);
    const open = await t.post('/api/v1/completions', ask({ models: ['openai/gpt-4o-mini'], maxRetries: 0 }));
    expect(open.status).toBe(422);
    expect((await open.json()).error.candidates[0].reason).toContain('circuit is open');
    expect(primary.received).toHaveLength(5);

    await new Promise((resolve) => setTimeout(resolve, 350));
    primary.replyByDefault(ok('recovered'));
    const probe = await t.post('/api/v1/completions', ask({ models: ['openai/gpt-4o-mini'], maxRetries: 0 }));
    expect(probe.status).toBe(200);
    const after = await t.post('/api/v1/completions', ask({ models: ['openai/gpt-4o-mini'], maxRetries: 0 }));
    expect(after.status).toBe(200);
    expect(primary.received).toHaveLength(7);
  });
});
