import { and, eq } from 'drizzle-orm';
import OpenAI, { BadRequestError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attempts, completions } from '../../src/db/schema.js';
import { queryData } from '../support/graphql.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { geminiEmbeddings, openaiEmbeddings, vectorOf } from '../upstreams/embeddings.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

const picoOf = (dollars: number | string): number => Math.round(Number(dollars) * 1e12);

/** What a switchyard extension carries, as the tests read it. */
interface Extension {
  provider: string;
  costs: { input_tokens_cost: number; total_tokens_cost: number };
  unpriced: boolean;
  usage_estimated: boolean;
  attempts: {
    provider: string;
    model: string;
    outcome: string;
    status: number | null;
    errorKind: string | null;
  }[];
}
const extensionOf = (body: unknown): Extension => (body as { switchyard: Extension }).switchyard;

describe.each(drivers)('POST /v1/embeddings on %s', (driver) => {
  let openai: Upstream;
  let google: Upstream;
  let acme: Upstream;
  let t: TestApp;
  beforeAll(async () => {
    [openai, google, acme] = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
    t = await startTestApp({
      driver,
      random: () => 0,
      env: {
        OPENAI_API_KEY: 'sk-openai-test',
        OPENAI_BASE_URL: `${openai.url}/v1`,
        GEMINI_API_KEY: 'gemini-test-key',
        GEMINI_BASE_URL: `${google.url}/v1beta`,
        ACME_API_KEY: 'acme-test-key',
      },
      configFile: {
        providers: [
          { name: 'acme', kind: 'openai-compatible', baseURL: `${acme.url}/v1`, apiKeyEnv: 'ACME_API_KEY' },
        ],
        models: [{ id: 'acme/embed-1', kind: 'embedding', inputPricePerMTok: 0.5, contextWindow: 512 }],
        // Short enough for a silent upstream to be given up on quickly.
        routing: { ttftTimeoutMs: 1000, circuitBreaker: { consecutiveFailures: 3 } },
      },
    });
  });
  beforeEach(() => {
    openai.reset();
    google.reset();
    acme.reset();
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([openai.close(), google.close(), acme.close()]);
  });

  /** The client as shipped, without its own retries, so each call is one request. */
  const clientFor = (key = adminKey) => new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key, maxRetries: 0 });

  it("returns OpenAI's float vectors and usage through the openai client, with the model as provider/model", async () => {
    openai.reply(
      openaiEmbeddings.vectors(
        [
          [0.25, -0.5, 1],
          [0.125, 0, -1],
        ],
        7,
      ),
    );
    const answer = await clientFor().embeddings.create({
      model: 'openai/text-embedding-3-small',
      input: ['first text', 'second text'],
      encoding_format: 'float',
      user: 'user-42',
    });
    expect(answer.object).toBe('list');
    expect(answer.model).toBe('openai/text-embedding-3-small');
    expect(answer.data).toEqual([
      { object: 'embedding', index: 0, embedding: [0.25, -0.5, 1] },
      { object: 'embedding', index: 1, embedding: [0.125, 0, -1] },
    ]);
    expect(answer.usage).toEqual({ prompt_tokens: 7, total_tokens: 7 });
    const extension = extensionOf(answer);
    expect(extension).toMatchObject({ provider: 'openai', unpriced: false, usage_estimated: false });
    // text-embedding-3-small: $0.02 per million tokens.
    expect(picoOf(extension.costs.total_tokens_cost)).toBe(7 * 20_000);

    expect(openai.received).toHaveLength(1);
    const [sent] = openai.received;
    expect(sent!.path).toBe('/v1/embeddings');
    expect(sent!.headers.authorization).toBe('Bearer sk-openai-test');
    expect(sent!.body).toEqual({
      model: 'text-embedding-3-small',
      input: ['first text', 'second text'],
      encoding_format: 'float',
      user: 'user-42',
    });
  });

  it('answers base64 when asked (the openai client asks by default and decodes it), and passes dimensions on', async () => {
    openai.replyByDefault(openaiEmbeddings.echo(3));
    const decoded = await clientFor().embeddings.create({
      model: 'openai/text-embedding-3-small',
      input: 'hello there',
      dimensions: 3,
    });
    // The client sent encoding_format base64 itself and decoded the float32s.
    expect(decoded.data).toHaveLength(1);
    expect(decoded.data[0]!.embedding).toEqual(vectorOf('hello there', 3).map(Math.fround));
    expect(openai.received[0]!.body).toMatchObject({ dimensions: 3, encoding_format: 'float' });

    const raw = await t.post('/v1/embeddings', {
      model: 'openai/text-embedding-3-small',
      input: ['hello there'],
      dimensions: 3,
      encoding_format: 'base64',
    });
    expect(raw.status).toBe(200);
    const body = (await raw.json()) as { data: { embedding: string }[] };
    expect(typeof body.data[0]!.embedding).toBe('string');
    const bytes = Buffer.from(body.data[0]!.embedding, 'base64');
    const floats = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(floats).toEqual(vectorOf('hello there', 3).map(Math.fround));
  });

  it("calls Gemini's batchEmbedContents with its key header and outputDimensionality, and counts the tokens itself", async () => {
    google.replyByDefault(geminiEmbeddings.echo);
    const answer = await clientFor().embeddings.create({
      model: 'google/gemini-embedding-001',
      input: ['alpha', 'beta'],
      dimensions: 5,
      encoding_format: 'float',
    });
    expect(answer.model).toBe('google/gemini-embedding-001');
    expect(answer.data.map((item) => item.embedding)).toEqual([vectorOf('alpha', 5), vectorOf('beta', 5)]);
    expect(answer.usage.prompt_tokens).toBeGreaterThan(0);
    expect(extensionOf(answer).usage_estimated).toBe(true);

    const [sent] = google.received;
    expect(sent!.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(sent!.headers['x-goog-api-key']).toBe('gemini-test-key');
    expect(sent!.headers.authorization).toBeUndefined();
    expect(sent!.body).toEqual({
      requests: [
        {
          model: 'models/gemini-embedding-001',
          content: { parts: [{ text: 'alpha' }] },
          outputDimensionality: 5,
        },
        {
          model: 'models/gemini-embedding-001',
          content: { parts: [{ text: 'beta' }] },
          outputDimensionality: 5,
        },
      ],
    });
  });

  it('splits more than 100 texts into several Gemini batches, and keeps the order', async () => {
    google.replyByDefault(geminiEmbeddings.echo);
    const texts = Array.from({ length: 150 }, (_, i) => `text number ${i}`);
    const answer = await clientFor().embeddings.create({
      model: 'google/gemini-embedding-001',
      input: texts,
      encoding_format: 'float',
    });
    expect(answer.data.map((item) => item.index)).toEqual(texts.map((_, i) => i));
    expect(answer.data.map((item) => item.embedding)).toEqual(texts.map((text) => vectorOf(text, 4)));
    const sizes = google.received.map((request) => (request.body as { requests: unknown[] }).requests.length);
    expect(sizes.sort((a, b) => a - b)).toEqual([50, 100]);
  });

  it('retries a 429 and a 500 on the same model, then answers, listing every attempt', async () => {
    openai.reply(
      openaiEmbeddings.error(429, 'requests', 'Rate limit reached', { 'retry-after': '0' }),
      openaiEmbeddings.error(500, 'server_error', 'The server had an error'),
      openaiEmbeddings.vectors([[1, 2, 3]], 4),
    );
    const response = await t.post('/v1/embeddings', {
      model: 'openai/text-embedding-3-small',
      input: 'retry me',
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.data[0].embedding).toEqual([1, 2, 3]);
    expect(extensionOf(body).attempts).toMatchObject([
      {
        provider: 'openai',
        model: 'text-embedding-3-small',
        outcome: 'failed',
        status: 429,
        errorKind: 'rate_limited',
      },
      { outcome: 'failed', status: 500, errorKind: 'server_error' },
      { outcome: 'succeeded' },
    ]);
    expect(openai.received).toHaveLength(3);
  });

  it('falls back from a failing OpenAI model to a Gemini one, and does not retry a 400', async () => {
    openai.replyByDefault(openaiEmbeddings.error(503, 'server_error', 'overloaded'));
    google.replyByDefault(geminiEmbeddings.echo);
    const answer = await clientFor().embeddings.create({
      model: 'openai/text-embedding-3-large',
      input: 'fall back',
      encoding_format: 'float',
      // @ts-expect-error Switchyard's own fields, beside OpenAI's
      fallback_models: ['google/gemini-embedding-001'],
      max_retries: 1,
    });
    expect(answer.model).toBe('google/gemini-embedding-001');
    expect(answer.data[0]!.embedding).toEqual(vectorOf('fall back', 4));
    expect(extensionOf(answer).attempts.map((attempt) => [attempt.provider, attempt.outcome])).toEqual([
      ['openai', 'failed'],
      ['openai', 'failed'],
      ['google', 'succeeded'],
    ]);

    openai.replyByDefault(openaiEmbeddings.error(400, 'invalid_request_error', 'Invalid dimensions'));
    const rejected = await t.post('/v1/embeddings', {
      model: 'openai/text-embedding-3-small',
      input: 'refused',
      dimensions: 7,
    });
    expect(rejected.status).toBe(400);
    const error = (await rejected.json()).error;
    expect(error.code).toBe('upstream_rejected');
    expect(error.message).toContain('Invalid dimensions');
    expect(error.attempts).toHaveLength(1);
    expect(openai.received).toHaveLength(3);
  });

  it('moves on from a silent upstream without retrying it, and skips a model whose circuit opened', async () => {
    acme.replyByDefault({ ...openaiEmbeddings.vectors([[9, 9]]), firstByteDelayMs: 5000 });
    google.replyByDefault(geminiEmbeddings.echo);
    const silent = await t.post('/v1/embeddings', {
      model: 'acme/embed-1',
      fallback_models: ['google/gemini-embedding-001'],
      input: 'anyone there?',
    });
    expect(silent.status).toBe(200);
    const body = await silent.json();
    expect(body.model).toBe('google/gemini-embedding-001');
    expect(extensionOf(body).attempts).toMatchObject([
      { provider: 'acme', outcome: 'failed', errorKind: 'timeout' },
      { provider: 'google', outcome: 'succeeded' },
    ]);
    expect(acme.received).toHaveLength(1);

    // Three failures in a row open openai/text-embedding-ada-002's circuit (the config says 3).
    openai.replyByDefault(openaiEmbeddings.error(500, 'server_error', 'down'));
    const failing = await t.post('/v1/embeddings', {
      model: 'openai/text-embedding-ada-002',
      input: 'x',
      max_retries: 2,
    });
    expect(failing.status).toBe(502);
    expect((await failing.json()).error.code).toBe('upstream_failed');
    expect(openai.received).toHaveLength(3);
    const skipped = await t.post('/v1/embeddings', {
      model: 'openai/text-embedding-ada-002',
      fallback_models: ['google/gemini-embedding-001'],
      input: 'x',
    });
    expect(skipped.status).toBe(200);
    expect(extensionOf(await skipped.json()).attempts.map((attempt) => attempt.provider)).toEqual(['google']);
    expect(openai.received).toHaveLength(3);
  });

  it('answers 429 with Retry-After when every candidate stays rate limited upstream', async () => {
    google.replyByDefault(
      geminiEmbeddings.error(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', { 'retry-after': '1' }),
    );
    const response = await t.post('/v1/embeddings', {
      model: 'google/gemini-embedding-001',
      input: 'limited',
      max_retries: 0,
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect((await response.json()).error.code).toBe('rate_limit_exceeded');
  });

  it("records the request as an embedding usage row: GraphQL usage counts it and the key's budget is charged", async () => {
    const key = await t.app.apiKeys.create('embedder', ['user'], {
      limits: { budgetUsd: '1', requestsPerMinute: 10 },
    });
    acme.reply(openaiEmbeddings.vectors([[0.5, 0.5]], 1000, 'embed-1'));
    const { data: answer, response } = await clientFor(key.secret)
      .embeddings.create({ model: 'acme/embed-1', input: 'a priced text', encoding_format: 'float' })
      .withResponse();
    expect(answer.usage.prompt_tokens).toBe(1000);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('10');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('9');
    expect(acme.received[0]!.headers.authorization).toBe('Bearer acme-test-key');
    // 1000 tokens at $0.5 per million.
    const cost = 1000 * 500_000;
    expect(picoOf(extensionOf(answer).costs.total_tokens_cost)).toBe(cost);

    await t.settled();
    const budget = (await t.app.apiKeys.get(key.id))!.budget!;
    expect(picoOf(budget.spentUsd)).toBe(cost);
    expect(budget.reservedUsd).toBe('0');

    // A chat completion of the same key, to tell the two kinds apart in usage.
    const chat = await t.post(
      '/api/v1/completions',
      {
        models: ['local/echo'],
        messages: [{ role: 'user', content: 'hi' }],
      },
      key.secret,
    );
    expect(chat.status).toBe(200);
    await t.settled();

    type Totals = {
      requests: number;
      promptTokens: number;
      completionTokens: number;
      totalTokensCost: string;
    };
    const { usage } = await queryData<{
      usage: { totals: Totals; buckets: { kind: string; model: string; usage: Totals }[] };
    }>(
      t.url,
      `{ usage(groupBy: [KIND, MODEL]) {
          totals { requests }
          buckets { kind model usage { requests promptTokens completionTokens totalTokensCost } } } }`,
      {},
      key.secret,
    );
    expect(usage.totals.requests).toBe(2);
    expect(usage.buckets.map((bucket) => [bucket.kind, bucket.model])).toEqual([
      ['CHAT', 'echo'],
      ['EMBEDDING', 'embed-1'],
    ]);
    expect(usage.buckets[1]!.usage).toEqual({
      requests: 1,
      promptTokens: 1000,
      completionTokens: 0,
      totalTokensCost: '0.0005',
    });

    const rows = await t.db.database.db
      .select()
      .from(completions)
      .where(and(eq(completions.apiKeyId, key.id), eq(completions.kind, 'embedding')));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'embedding',
      conversationId: null,
      provider: 'acme',
      model: 'embed-1',
      status: 'succeeded',
      promptTokens: 1000,
      stream: false,
    });
    const tries = await t.db.database.db
      .select()
      .from(attempts)
      .where(eq(attempts.completionId, rows[0]!.id));
    expect(tries).toMatchObject([{ provider: 'acme', outcome: 'succeeded', promptTokens: 1000 }]);
    expect(picoOf(tries[0]!.cost)).toBe(cost);

    // A budget that cannot cover the input at the model's price refuses the request before any call.
    const poor = await t.app.apiKeys.create('poor embedder', ['user'], {
      limits: { budgetUsd: '0.0000001' },
    });
    const refused = await t.post(
      '/v1/embeddings',
      { model: 'acme/embed-1', input: 'a priced text' },
      poor.secret,
    );
    expect(refused.status).toBe(402);
    expect((await refused.json()).error.type).toBe('insufficient_quota');
    expect(acme.received).toHaveLength(1);
  });

  it('refuses token arrays, empty texts, unknown fields and chat models with clear 400 and 422 answers', async () => {
    const tokens = await clientFor()
      .embeddings.create({ model: 'openai/text-embedding-3-small', input: [1, 2, 3] })
      .catch((caught: unknown) => caught);
    expect(tokens).toBeInstanceOf(BadRequestError);
    expect((tokens as BadRequestError).message).toContain('token arrays are not supported');
    expect((tokens as BadRequestError).param).toBe('input');

    const cases: [unknown, string][] = [
      [{ model: 'openai/text-embedding-3-small', input: [] }, 'input: must have at least one text'],
      [{ model: 'openai/text-embedding-3-small', input: ['fine', ''] }, 'input.1: must not be empty'],
      [
        { model: 'openai/text-embedding-3-small', input: { text: 'x' } },
        'input: must be a string or a list of strings',
      ],
      [{ input: 'no model' }, 'model: is required'],
      [{ model: 'openai/text-embedding-3-small', input: 'x', encoding_format: 'int8' }, 'encoding_format'],
      [{ model: 'openai/text-embedding-3-small', input: 'x', temperature: 1 }, 'temperature: unknown field'],
    ];
    for (const [body, message] of cases) {
      const response = await t.post('/v1/embeddings', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = (await response.json()).error;
      expect(error.type).toBe('invalid_request_error');
      expect(error.message).toContain(message);
    }

    const chat = await t.post('/v1/embeddings', { model: 'openai/gpt-4o', input: 'x' });
    expect(chat.status).toBe(422);
    expect((await chat.json()).error.message).toContain('it is a chat model, not an embedding model');
    const fixed = await t.post('/v1/embeddings', {
      model: 'openai/text-embedding-ada-002',
      input: 'x',
      dimensions: 8,
    });
    expect(fixed.status).toBe(422);
    const tooLong = await t.post('/v1/embeddings', { model: 'acme/embed-1', input: 'word '.repeat(600) });
    expect(tooLong.status).toBe(422);
    expect((await tooLong.json()).error.message).toContain('longer than its limit of 512 tokens');
    expect(openai.received).toHaveLength(0);
    expect(acme.received).toHaveLength(0);
  });

  it('lists embedding models with their kind in /v1/models and in GraphQL models', async () => {
    const list = await clientFor().models.list();
    const byId = new Map(list.data.map((model) => [model.id, model as unknown as { kind: string }]));
    expect(byId.get('openai/text-embedding-3-small')?.kind).toBe('embedding');
    expect(byId.get('google/gemini-embedding-001')?.kind).toBe('embedding');
    expect(byId.get('acme/embed-1')?.kind).toBe('embedding');
    expect(byId.get('local/echo')?.kind).toBe('chat');
    expect(await clientFor().models.retrieve('acme/embed-1')).toMatchObject({ kind: 'embedding' });

    const { models } = await queryData<{
      models: { id: string; kind: string; prices: { inputPerMTok: string; outputPerMTok: string } | null }[];
    }>(t.url, '{ models { id kind prices { inputPerMTok outputPerMTok } } }');
    const found = (id: string) => models.find((model) => model.id === id);
    expect(found('openai/text-embedding-3-small')).toEqual({
      id: 'openai/text-embedding-3-small',
      kind: 'EMBEDDING',
      prices: { inputPerMTok: '0.02', outputPerMTok: '0' },
    });
    expect(found('google/gemini-embedding-001')?.prices?.inputPerMTok).toBe('0.15');
    expect(found('acme/embed-1')).toMatchObject({ kind: 'EMBEDDING', prices: { inputPerMTok: '0.5' } });
    expect(found('local/echo')?.kind).toBe('CHAT');
  });
});
