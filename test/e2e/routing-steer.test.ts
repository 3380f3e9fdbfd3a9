import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  attempts,
  budgetReservations,
  completions,
  conversations,
  routeEmbeddings,
} from '../../src/db/schema.js';
import { queryData } from '../support/graphql.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { openaiEmbeddings } from '../upstreams/embeddings.js';
import { openaiChat, startUpstream, type Upstream } from '../upstreams/index.js';

const ask = (text: string, extra: Record<string, unknown>) => ({
  messages: [{ role: 'user', content: text }],
  ...extra,
});
const gqlAsk = (text: string, extra: Record<string, unknown>) => ({
  messages: [{ role: 'USER', content: [{ type: 'TEXT', text }] }],
  ...extra,
});

/** Vectors by topic, as the local embeddings upstream answers them. */
const topicVector = (text: string): number[] => {
  if (/code|function|bug|python|typescript/i.test(text)) return [1, 0.1, 0];
  if (/joke|hello|how are you|weekend/i.test(text)) return [0.1, 1, 0];
  return [0, 0, 1];
};

interface Routing {
  strategy: string;
  candidates: {
    model: string;
    rank: number;
    role: string;
    expectedCostUsd: number | null;
    expectedTtftMs: number | null;
    expectedTotalMs: number | null;
    errorRate: number;
    score: number | null;
  }[];
  excluded: { model: string; reason: string; bound: string | null }[];
  constraints: { maxCostUsd: number | null; maxTtftMs: number | null };
  promptRoutes: {
    pool: string;
    route: string | null;
    similarity: number | null;
    closestRoute: string | null;
    threshold: number;
    embeddingModel: string;
    note?: string;
  }[];
}

interface Answer {
  model: string;
  provider: string;
  responseMessageId: string;
  attempts: { provider: string; model: string; outcome: string }[];
  routing: Routing;
}

/**
 * One OpenAI-compatible provider `acme` (every chat model on one local upstream, told apart
 * by the model the request names) and OpenAI's embeddings on another local upstream.
 */
describe.each(drivers)('routing you can see and steer, through the real server on %s', (driver) => {
  let chat: Upstream;
  let embed: Upstream;
  let t: TestApp;

  beforeAll(async () => {
    chat = await startUpstream();
    embed = await startUpstream();
    t = await startTestApp({
      driver,
      random: () => 0,
      env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${embed.url}/v1`, ACME_API_KEY: 'acme-key' },
      configFile: {
        providers: [
          { name: 'acme', kind: 'openai-compatible', baseURL: `${chat.url}/v1`, apiKeyEnv: 'ACME_API_KEY' },
        ],
        models: [
          { id: 'acme/dear', inputPricePerMTok: 10, outputPricePerMTok: 30 },
          { id: 'acme/cheap', inputPricePerMTok: 0.1, outputPricePerMTok: 0.2 },
          { id: 'acme/slowpoke', inputPricePerMTok: 0.1, outputPricePerMTok: 0.2 },
          { id: 'acme/steady', inputPricePerMTok: 0.1, outputPricePerMTok: 0.2 },
          { id: 'acme/coder', inputPricePerMTok: 3, outputPricePerMTok: 15 },
          { id: 'acme/fast', inputPricePerMTok: 0.05, outputPricePerMTok: 0.1 },
        ],
        routing: { strategy: 'balanced', circuitBreaker: { consecutiveFailures: 100, minimumAttempts: 100 } },
        groups: {
          duo: ['acme/dear', 'acme/cheap'],
          helpers: {
            models: ['acme/cheap'],
            routes: [{ name: 'code', utterances: ['fix my typescript'], models: ['acme/coder'] }],
          },
        },
        autoRouting: {
          embeddingModel: 'openai/text-embedding-3-small',
          threshold: 0.8,
          routes: [
            {
              name: 'code',
              utterances: ['write a python function', 'why does this code throw', 'fix this bug'],
              models: ['acme/coder'],
            },
            {
              name: 'casual chat',
              utterances: ['hello, how are you?', 'tell me a joke'],
              models: ['acme/fast'],
            },
          ],
          defaultModels: ['acme/cheap'],
        },
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await chat.close();
    await embed.close();
  });
  beforeEach(() => {
    chat.reset();
    embed.reset();
    chat.replyByDefault(openaiChat.stream(['Fine', ' answer']));
    embed.replyByDefault((request) => {
      const body = request.body as { input: string[] };
      return openaiEmbeddings.vectors(body.input.map(topicVector));
    });
  });

  const modelsCalled = (upstream: Upstream) =>
    upstream.received.map((request) => `acme/${(request.body as { model: string }).model}`);
  const rowCount = async (table: typeof completions | typeof conversations | typeof budgetReservations) => {
    await t.settled();
    const [row] = await t.db.database.db.select({ n: count() }).from(table);
    return row!.n;
  };

  it.each(['ordered', 'cheapest', 'fastest', 'balanced'])(
    'explains a %s answer with the candidates in the order they were tried',
    async (strategy) => {
      // The first candidate fails, so the answer comes from the second: both were tried.
      chat.reply(openaiChat.error(500, { message: 'boom', type: 'server_error' }));
      const response = await t.post(
        '/api/v1/completions',
        ask('Route me', { models: ['acme/dear', 'acme/cheap'], strategy, maxRetries: 0 }),
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as Answer;
      const { routing } = body;
      expect(routing.strategy).toBe(strategy);
      const order = routing.candidates.map((entry) => entry.model);
      expect(order.sort()).toEqual(['acme/cheap', 'acme/dear']);
      const ranked = routing.candidates.map((entry) => entry.model);
      expect(body.attempts.map((attempt) => `${attempt.provider}/${attempt.model}`)).toEqual(ranked);
      expect(modelsCalled(chat)).toEqual(ranked);
      expect(`${body.provider}/${body.model}`).toBe(ranked[1]);
      if (strategy === 'ordered') expect(ranked).toEqual(['acme/dear', 'acme/cheap']);
      if (strategy === 'cheapest') expect(ranked).toEqual(['acme/cheap', 'acme/dear']);
      const [first, second] = routing.candidates;
      expect(first).toMatchObject({ rank: 1, role: 'pool' });
      expect(second).toMatchObject({ rank: 2, role: 'pool' });
      const cost = (model: string) =>
        routing.candidates.find((entry) => entry.model === model)!.expectedCostUsd!;
      expect(cost('acme/cheap')).toBeLessThan(cost('acme/dear'));
      expect(routing.excluded).toEqual([]);
    },
  );

  it('carries the explanation in the done event, GraphQL and the OpenAI surface', async () => {
    const events = await (
      await t.post('/api/v1/completions', ask('Stream me', { models: ['acme/cheap'], stream: true }))
    ).text();
    const done = events
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { type: string; routing?: Routing })
      .find((event) => event.type === 'done')!;
    expect(done.routing!.candidates.map((entry) => entry.model)).toEqual(['acme/cheap']);

    const data = await queryData<{ completion: { model: string; routing: Record<string, unknown> } }>(
      t.url,
      `mutation($input: CompletionInput!) { completion(input: $input) { model routing {
        strategy candidates { model rank role expectedCostUsd expectedTtftMs expectedTotalMs errorRate score }
        excluded { model reason bound } maxCostUsd promptRoutes { pool route } } } }`,
      {
        input: gqlAsk('GraphQL me', {
          models: ['acme/cheap', 'off/none'],
          strategy: 'CHEAPEST',
          maxCostUsd: 1,
        }),
      },
    );
    expect(data.completion.routing).toMatchObject({
      strategy: 'CHEAPEST',
      candidates: [{ model: 'acme/cheap', rank: 1, role: 'POOL' }],
      excluded: [{ model: 'off/none', bound: null }],
      maxCostUsd: 1,
      promptRoutes: [],
    });

    const openai = await t.post('/v1/chat/completions', {
      model: 'group/duo',
      messages: [{ role: 'user', content: 'OpenAI me' }],
      strategy: 'cheapest',
    });
    expect(openai.status).toBe(200);
    const completion = (await openai.json()) as { switchyard: { routing: Routing } };
    expect(completion.switchyard.routing.candidates.map((entry) => entry.model)).toEqual([
      'acme/cheap',
      'acme/dear',
    ]);
  });

  it('carries the explanation in the Anthropic and Responses surfaces’ switchyard objects', async () => {
    const anthropic = await t.post('/v1/messages', {
      model: 'group/duo',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'Anthropic me' }],
    });
    expect(anthropic.status).toBe(200);
    const message = (await anthropic.json()) as { switchyard: { routing: Routing } };
    expect(message.switchyard.routing.candidates.map((entry) => entry.model).sort()).toEqual([
      'acme/cheap',
      'acme/dear',
    ]);

    const responses = await t.post('/v1/responses', { model: 'acme/cheap', input: 'Respond me' });
    expect(responses.status).toBe(200);
    const response = (await responses.json()) as { switchyard: { routing: Routing } };
    expect(response.switchyard.routing.candidates.map((entry) => entry.model)).toEqual(['acme/cheap']);
  });

  it('answers a dry run without calling any upstream, reserving budget or storing anything', async () => {
    const before = await Promise.all([rowCount(completions), rowCount(conversations)]);
    const response = await t.post(
      '/api/v1/route',
      ask('Only plan this', {
        models: ['group/duo', 'auto'],
        fallback_models: ['acme/fast'],
        strategy: 'cheapest',
      }),
    );
    expect(response.status).toBe(200);
    const { routing } = (await response.json()) as { routing: Routing };
    expect(routing.candidates.map((entry) => [entry.model, entry.role])).toEqual([
      ['acme/cheap', 'pool'],
      ['acme/dear', 'pool'],
      ['acme/fast', 'fallback'],
    ]);
    expect(routing.promptRoutes).toEqual([
      expect.objectContaining({ pool: 'auto', route: null, note: expect.stringContaining('dry run') }),
    ]);
    expect(chat.received).toHaveLength(0);
    expect(embed.received).toHaveLength(0);
    expect(await Promise.all([rowCount(completions), rowCount(conversations)])).toEqual(before);
    expect(await rowCount(budgetReservations)).toBe(0);

    // The same validation as /api/v1/completions.
    const invalid = await t.post('/api/v1/route', ask('x', { models: ['nope'], maxCostUsd: -1 }));
    expect(invalid.status).toBe(400);
    const refusal = (await invalid.json()) as { error: { code: string; message: string } };
    expect(refusal.error.code).toBe('invalid_request');
    expect(refusal.error.message).toContain('models.0');
    expect(refusal.error.message).toContain('maxCostUsd');

    // And in GraphQL.
    const data = await queryData<{ route: { candidates: { model: string }[] } }>(
      t.url,
      'query($input: CompletionInput!) { route(input: $input) { candidates { model } } }',
      { input: gqlAsk('Plan', { models: ['group/duo'], strategy: 'ORDERED' }) },
    );
    expect(data.route.candidates.map((entry) => entry.model)).toEqual(['acme/dear', 'acme/cheap']);
    expect(chat.received).toHaveLength(0);
  });

  it('lists the groups, and refuses an unknown one by name', async () => {
    const models = (await (
      await fetch(`${t.url}/v1/models`, { headers: { authorization: `Bearer ${adminKey}` } })
    ).json()) as { data: { id: string; kind: string; models?: string[]; routes?: string[] }[] };
    const groups = models.data.filter((entry) => entry.kind === 'group');
    expect(groups).toEqual([
      expect.objectContaining({ id: 'auto', models: ['acme/cheap'], routes: ['code', 'casual chat'] }),
      expect.objectContaining({ id: 'group/duo', models: ['acme/dear', 'acme/cheap'], routes: [] }),
      expect.objectContaining({ id: 'group/helpers', models: ['acme/cheap'], routes: ['code'] }),
    ]);
    const data = await queryData<{ modelGroups: { id: string }[] }>(
      t.url,
      '{ modelGroups { id models routes } }',
    );
    expect(data.modelGroups.map((group) => group.id)).toEqual(['auto', 'group/duo', 'group/helpers']);

    const unknown = await t.post('/api/v1/completions', ask('x', { models: ['group/missing'] }));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain(
      'group/missing',
    );
    expect(chat.received).toHaveLength(0);
  });

  it('excludes candidates outside maxCostUsd and maxTtftMs, and refuses with 422 naming the bound', async () => {
    // acme/slowpoke answers its first token late once, so its observed p95 is above 200 ms;
    // acme/steady has not been seen, so it has no p95 and is given the benefit of the doubt.
    chat.reply({ ...openaiChat.stream(['slow']), firstByteDelayMs: 400 });
    expect((await t.post('/api/v1/completions', ask('warm up', { models: ['acme/slowpoke'] }))).status).toBe(
      200,
    );

    chat.reset();
    chat.replyByDefault(openaiChat.stream(['Fine']));
    const bounded = await t.post(
      '/api/v1/completions',
      ask('Bound me', {
        models: ['acme/slowpoke', 'acme/dear', 'acme/steady'],
        maxCostUsd: 0.001,
        maxTtftMs: 200,
      }),
    );
    expect(bounded.status).toBe(200);
    const body = (await bounded.json()) as Answer;
    expect(body.model).toBe('steady');
    expect(body.routing.excluded).toEqual([
      { model: 'acme/slowpoke', bound: 'maxTtftMs', reason: expect.stringContaining('above maxTtftMs 200') },
      {
        model: 'acme/dear',
        bound: 'maxCostUsd',
        reason: expect.stringContaining('above maxCostUsd $0.001'),
      },
    ]);
    expect(body.routing.constraints).toEqual({ maxCostUsd: 0.001, maxTtftMs: 200 });
    expect(modelsCalled(chat)).toEqual(['acme/steady']);

    const nothing = await t.post(
      '/api/v1/completions',
      ask('Bound me', { models: ['acme/dear'], maxCostUsd: 1e-7 }),
    );
    expect(nothing.status).toBe(422);
    const refusal = (await nothing.json()) as {
      error: { code: string; message: string; candidates: { model: string; bound: string }[] };
    };
    expect(refusal.error.code).toBe('no_eligible_model');
    expect(refusal.error.message).toContain('maxCostUsd');
    expect(refusal.error.candidates).toEqual([
      expect.objectContaining({ model: 'acme/dear', bound: 'maxCostUsd' }),
    ]);

    // The OpenAI surface takes the bounds in snake_case.
    const openai = await t.post('/v1/chat/completions', {
      model: 'acme/dear',
      messages: [{ role: 'user', content: 'Bound me' }],
      max_cost_usd: 1e-7,
    });
    expect(openai.status).toBe(422);
    expect(((await openai.json()) as { error: { message: string } }).error.message).toContain('maxCostUsd');
    expect(chat.received).toHaveLength(1);
  });

  it('routes "auto" by what the prompt is about, and below the threshold to the default pool', async () => {
    const code = (await (
      await t.post(
        '/api/v1/completions',
        ask('My python function throws, please fix the bug', { models: ['auto'] }),
      )
    ).json()) as Answer;
    expect(code.model).toBe('coder');
    expect(code.routing.promptRoutes).toEqual([
      expect.objectContaining({ pool: 'auto', route: 'code', closestRoute: 'code', threshold: 0.8 }),
    ]);
    expect(code.routing.promptRoutes[0]!.similarity).toBeGreaterThan(0.99);

    const casual = (await (
      await t.post('/api/v1/completions', ask('Hello! How was your weekend?', { models: ['auto'] }))
    ).json()) as Answer;
    expect(casual.model).toBe('fast');
    expect(casual.routing.promptRoutes[0]!.route).toBe('casual chat');

    const other = (await (
      await t.post('/api/v1/completions', ask('What is the capital of France?', { models: ['auto'] }))
    ).json()) as Answer;
    expect(other.model).toBe('cheap');
    expect(other.routing.promptRoutes[0]).toMatchObject({ route: null, similarity: 0 });

    expect(modelsCalled(chat)).toEqual(['acme/coder', 'acme/fast', 'acme/cheap']);
    // The five examples once, then one prompt per request.
    const inputs = embed.received.map((request) => (request.body as { input: string[] }).input.length);
    expect(inputs.sort()).toEqual([1, 1, 1, 5]);
    await t.settled();
    const { db } = t.db.database;
    const cached = await db.select().from(routeEmbeddings);
    expect(cached.filter((row) => row.model === 'openai/text-embedding-3-small')).toHaveLength(5);
    // Each embedding call is a usage row of its own, billed and with its attempt recorded.
    const rows = await db.select().from(completions).where(eq(completions.kind, 'embedding'));
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.every((row) => row.model === 'text-embedding-3-small' && row.status === 'succeeded')).toBe(
      true,
    );
    expect(Number(rows[0]!.totalCost)).toBeGreaterThan(0);
    const tries = await db.select().from(attempts).where(eq(attempts.completionId, rows[0]!.id));
    expect(tries).toHaveLength(1);

    // A group with routes routes the same way; its own models are its default pool.
    const grouped = (await (
      await t.post('/api/v1/completions', ask('fix my typescript please', { models: ['group/helpers'] }))
    ).json()) as Answer;
    expect(grouped.model).toBe('coder');
    expect(grouped.routing.promptRoutes[0]).toMatchObject({ pool: 'group/helpers', route: 'code' });
  });
});
