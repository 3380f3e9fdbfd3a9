import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completions, messages } from '../../src/db/schema.js';
import { type SearchUpstream, type ServedResult, startSearchUpstream } from '../support/search-upstream.js';
import { readSseEvents } from '../support/sse.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

const question = 'Which is the tallest building in the world in 2026?';

const longSnippet = Array.from({ length: 150 }, (_, i) => `fact${i}`).join(' ');

/** Six results: one duplicate and one non-web link are dropped, then the first three kept. */
const servedResults: ServedResult[] = [
  { url: 'https://example.com/burj', title: 'Burj <b>Khalifa</b> &amp; friends', snippet: longSnippet },
  { url: 'https://example.com/burj', title: 'Duplicate', snippet: 'same page again' },
  { url: 'javascript:alert(1)', title: 'Not a page', snippet: 'x' },
  { url: 'https://example.org/jeddah', title: 'Jeddah Tower', snippet: 'Still under construction.' },
  { url: 'https://example.net/list', title: 'List of tallest buildings', snippet: 'A ranked list.' },
  { url: 'https://example.net/fourth', title: 'Fourth', snippet: 'Not among the top results.' },
];

const expectedCitations = [
  { index: 1, url: 'https://example.com/burj', title: 'Burj Khalifa & friends', snippet: longSnippet },
  {
    index: 2,
    url: 'https://example.org/jeddah',
    title: 'Jeddah Tower',
    snippet: 'Still under construction.',
  },
  {
    index: 3,
    url: 'https://example.net/list',
    title: 'List of tallest buildings',
    snippet: 'A ranked list.',
  },
];

const ask = (text: string, extra: Record<string, unknown> = {}) => ({
  messages: [{ role: 'user', content: text }],
  models: ['local/echo'],
  search: true,
  ...extra,
});

describe.each(drivers)('web search grounding with SearXNG on %s', (driver) => {
  let searxng: SearchUpstream;
  let t: TestApp;
  beforeAll(async () => {
    searxng = await startSearchUpstream('searxng');
    t = await startTestApp({
      driver,
      configFile: {
        search: {
          backend: {
            kind: 'searxng',
            baseURL: `${searxng.url}/`,
            results: 3,
            timeoutMs: 300,
            pricePerSearch: 0.005,
          },
        },
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await searxng.close();
  });
  beforeEach(() => {
    searxng.behaviour = 'ok';
    searxng.results = servedResults;
  });

  const storedCompletion = async (responseMessageId: string) => {
    await t.settled();
    const [row] = await t.db.database.db
      .select()
      .from(completions)
      .where(eq(completions.responseMessageId, responseMessageId));
    return row!;
  };

  it('returns the numbered sources as citations, bills the search and stores it', async () => {
    const before = searxng.received.length;
    const response = await t.post('/api/v1/completions', ask(question));
    expect(response.status).toBe(200);
    const body = await response.json();

    const [search] = searxng.received.slice(before);
    expect(searxng.received.length - before).toBe(1);
    expect(search!.path).toBe('/search');
    expect(search!.query.get('q')).toBe(question);
    expect(search!.query.get('format')).toBe('json');

    expect(body.citations).toEqual(expectedCitations);
    expect(body.search).toEqual({ status: 'ok', query: question, results: 3 });
    // The echo model is free: the whole bill is the search.
    expect(body.usage.costs).toEqual({
      input_tokens_cost: 0,
      output_tokens_cost: 0,
      search_cost: 0.005,
      total_tokens_cost: 0.005,
    });

    const row = await storedCompletion(body.responseMessageId);
    expect(row).toMatchObject({
      status: 'succeeded',
      searchCost: '0.005000000000',
      totalCost: '0.005000000000',
    });
  });

  it('gives the model the sources but stores only what the user sent, with the citations on the answer', async () => {
    const plain = await (await t.post('/api/v1/completions', ask(question, { search: false }))).json();
    const grounded = await (await t.post('/api/v1/completions', ask(question))).json();
    // The echo model answers the user's own message, not the injected sources...
    expect(grounded.message.content).toEqual([{ type: 'text', text: question }]);
    // ...but it was sent them: its prompt grew by at least the 150 words of the first snippet.
    expect(grounded.usage.promptTokens - plain.usage.promptTokens).toBeGreaterThanOrEqual(150);

    await t.settled();
    const stored = await t.db.database.db
      .select({ role: messages.role, content: messages.content, citations: messages.citations })
      .from(messages)
      .where(eq(messages.conversationId, grounded.conversationId))
      .orderBy(messages.seq);
    expect(stored).toEqual([
      { role: 'user', content: [{ type: 'text', text: question }], citations: null },
      { role: 'assistant', content: [{ type: 'text', text: question }], citations: expectedCitations },
    ]);

    // Continuing the conversation sends the stored turns: the same prompt as a fresh
    // conversation holding those turns, so the sources did not enter the history.
    const followUp = 'Thanks, and how tall is it?';
    const continued = await (
      await t.post('/api/v1/completions', {
        ...ask(followUp, { search: false }),
        conversationId: grounded.conversationId,
      })
    ).json();
    const fresh = await (
      await t.post('/api/v1/completions', {
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: question },
          { role: 'user', content: followUp },
        ],
        models: ['local/echo'],
      })
    ).json();
    expect(continued.usage.promptTokens).toBe(fresh.usage.promptTokens);
  });

  it('searches a short follow-up together with the question before it', async () => {
    const first = await (await t.post('/api/v1/completions', ask('Population of France'))).json();
    const before = searxng.received.length;
    const response = await t.post('/api/v1/completions', {
      ...ask('And in 1900?'),
      conversationId: first.conversationId,
    });
    expect(response.status).toBe(200);
    expect(searxng.received.slice(before).map((r) => r.query.get('q'))).toEqual([
      'Population of France And in 1900?',
    ]);
  });

  it('carries the citations and the search cost on the stream done event', async () => {
    const response = await t.post('/api/v1/completions', ask(question, { stream: true }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await readSseEvents(response);
    const done = events.at(-1)!;
    expect(done.type).toBe('done');
    expect(done.citations).toEqual(expectedCitations);
    expect(done.search).toEqual({ status: 'ok', query: question, results: 3 });
    expect((done.usage as { costs: Record<string, number> }).costs.search_cost).toBe(0.005);
    expect(
      events
        .filter((event) => event.type === 'text')
        .map((event) => event.text)
        .join(''),
    ).toBe(question);
  });

  it('does not search, bill or report search for a request without search', async () => {
    const before = searxng.received.length;
    const body = await (await t.post('/api/v1/completions', ask(question, { search: false }))).json();
    expect(searxng.received.length).toBe(before);
    expect(body.citations).toEqual([]);
    expect(body).not.toHaveProperty('search');
    expect(body.usage.costs.search_cost).toBe(0);
    expect((await storedCompletion(body.responseMessageId)).searchCost).toBe('0.000000000000');
  });

  it('bills a search that ran even when every model then fails', async () => {
    await t.settled();
    const { db } = t.db.database;
    const before = (await db.select({ id: completions.id }).from(completions)).map((row) => row.id);
    const response = await t.post('/api/v1/completions', ask(question, { models: ['local/missing'] }));
    expect(response.status).toBe(502);
    await t.settled();
    const added = (await db.select().from(completions)).filter((row) => !before.includes(row.id));
    expect(added).toEqual([
      expect.objectContaining({
        status: 'failed',
        searchCost: '0.005000000000',
        totalCost: '0.005000000000',
      }),
    ]);
  });

  it('answers with no citations when the engine finds nothing, and still bills the search', async () => {
    searxng.results = [];
    const body = await (await t.post('/api/v1/completions', ask(question))).json();
    expect(body.citations).toEqual([]);
    expect(body.search).toEqual({ status: 'ok', query: question, results: 0 });
    expect(body.usage.costs.search_cost).toBe(0.005);
  });

  it.each([
    ['http-500', 'the searxng search backend answered HTTP 500'],
    ['hang', 'the searxng search backend did not answer within 300 ms'],
    ['not-json', 'the searxng search backend did not answer JSON'],
    ['bad-shape', 'the searxng search backend answered in an unexpected shape (at results)'],
  ] as const)(
    'answers without sources when the backend fails (%s), saying search was unavailable',
    async (behaviour, reason) => {
      searxng.behaviour = behaviour;
      for (const stream of [false, true]) {
        const response = await t.post('/api/v1/completions', ask(question, { stream }));
        expect(response.status).toBe(200);
        const body = stream ? (await readSseEvents(response)).at(-1)! : await response.json();
        expect(body).toMatchObject({
          message: { content: [{ type: 'text', text: question }] },
          citations: [],
          search: { status: 'unavailable', query: question, reason },
        });
        expect((body.usage as { costs: Record<string, number> }).costs).toMatchObject({
          search_cost: 0,
          total_tokens_cost: 0,
        });
        const row = await storedCompletion(body.responseMessageId as string);
        expect(row).toMatchObject({ status: 'succeeded', searchCost: '0.000000000000' });
      }
    },
  );
});

describe.each(drivers)('required web search with Tavily on %s', (driver) => {
  const key = 'tvly-test-secret-key-0123';
  let tavily: SearchUpstream;
  let t: TestApp;
  beforeAll(async () => {
    tavily = await startSearchUpstream('tavily');
    t = await startTestApp({
      driver,
      env: { TAVILY_TEST_KEY: key },
      configFile: {
        search: {
          backend: {
            kind: 'tavily',
            baseURL: tavily.url,
            apiKeyEnv: 'TAVILY_TEST_KEY',
            results: 2,
            timeoutMs: 300,
            pricePerSearch: 0.008,
          },
          mode: 'backend',
          required: true,
        },
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await tavily.close();
  });
  beforeEach(() => {
    tavily.behaviour = 'ok';
    tavily.results = servedResults.slice(3);
  });

  const completionCount = async () => {
    await t.settled();
    return (await t.db.database.db.select().from(completions)).length;
  };

  it('posts the query with its bearer key and maps the results', async () => {
    const before = tavily.received.length;
    const response = await t.post('/api/v1/completions', ask(question));
    expect(response.status).toBe(200);
    const body = await response.json();
    const [search] = tavily.received.slice(before);
    expect(search).toMatchObject({ method: 'POST', path: '/search' });
    expect(search!.headers.authorization).toBe(`Bearer ${key}`);
    expect(JSON.parse(search!.body)).toMatchObject({ query: question, max_results: 2 });
    expect(body.citations).toEqual([
      {
        index: 1,
        url: 'https://example.org/jeddah',
        title: 'Jeddah Tower',
        snippet: 'Still under construction.',
      },
      {
        index: 2,
        url: 'https://example.net/list',
        title: 'List of tallest buildings',
        snippet: 'A ranked list.',
      },
    ]);
    expect(body.usage.costs.search_cost).toBe(0.008);
  });

  it.each([
    ['http-500', 502, 'upstream_failed', 'the tavily search backend answered HTTP 500'],
    ['hang', 504, 'upstream_timeout', 'the tavily search backend did not answer within 300 ms'],
  ] as const)(
    'fails the completion when the required search fails (%s), storing nothing',
    async (behaviour, status, code, reason) => {
      tavily.behaviour = behaviour;
      const before = await completionCount();
      for (const stream of [false, true]) {
        const response = await t.post('/api/v1/completions', ask(question, { stream }));
        expect(response.status).toBe(status);
        expect(response.headers.get('content-type')).toContain('application/json');
        const text = await response.text();
        expect(text).not.toContain(key);
        expect(JSON.parse(text).error).toEqual({
          code,
          message: `web search is required but failed: ${reason}`,
          search: { status: 'unavailable', reason },
        });
      }
      expect(await completionCount()).toBe(before);
    },
  );

  it('refuses a required search with nothing to search for with 400', async () => {
    const response = await t.post('/api/v1/completions', {
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
      ],
      models: ['local/echo'],
      search: true,
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({
      code: 'invalid_request',
      message: 'web search is required but failed: the conversation has no user text to search for',
    });
  });
});

describe.each(drivers)('web search with Brave on %s', (driver) => {
  let brave: SearchUpstream;
  let t: TestApp;
  beforeAll(async () => {
    brave = await startSearchUpstream('brave');
    t = await startTestApp({
      driver,
      env: { BRAVE_TEST_KEY: 'brave-secret' },
      configFile: {
        search: { backend: { kind: 'brave', baseURL: brave.url, apiKeyEnv: 'BRAVE_TEST_KEY', results: 4 } },
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await brave.close();
  });

  it('sends the query, count and subscription token, and strips markup from the results', async () => {
    brave.results = [
      {
        url: 'https://example.com/a',
        title: 'A <strong>tall</strong> tower',
        snippet: 'The <strong>tallest</strong> one.',
      },
    ];
    const before = brave.received.length;
    const body = await (await t.post('/api/v1/completions', ask(question))).json();
    const [search] = brave.received.slice(before);
    expect(search).toMatchObject({ method: 'GET', path: '/res/v1/web/search' });
    expect(search!.query.get('q')).toBe(question);
    expect(search!.query.get('count')).toBe('4');
    expect(search!.headers['x-subscription-token']).toBe('brave-secret');
    expect(body.citations).toEqual([
      { index: 1, url: 'https://example.com/a', title: 'A tall tower', snippet: 'The tallest one.' },
    ]);
    // No price configured: searching is free.
    expect(body.usage.costs.search_cost).toBe(0);
  });

  it('treats an answer without web results as an empty search', async () => {
    brave.results = [];
    const body = await (await t.post('/api/v1/completions', ask(question))).json();
    expect(body.search).toEqual({ status: 'ok', query: question, results: 0 });
    expect(body.citations).toEqual([]);
  });
});

describe.each(drivers)('search: true without a search backend on %s', (driver) => {
  it.each([
    ['no search section', undefined, 'no search backend is configured'],
    [
      'a backend whose key is not set',
      { search: { backend: { kind: 'brave', apiKeyEnv: 'UNSET_BRAVE_KEY' } } },
      'the brave search backend is not configured (UNSET_BRAVE_KEY is not set)',
    ],
  ])('answers 422 no_eligible_model with the reason (%s)', async (_, configFile, reason) => {
    const t = await startTestApp({ driver, configFile });
    try {
      const response = await t.post('/api/v1/completions', ask(question));
      expect(response.status).toBe(422);
      const { error } = await response.json();
      expect(error.code).toBe('no_eligible_model');
      expect(error.candidates).toEqual([
        {
          model: 'local/echo',
          reason: `web search is not available for this model: ${reason} and the model has no native search`,
        },
      ]);
      const ok = await t.post('/api/v1/completions', ask(question, { search: false }));
      expect(ok.status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
