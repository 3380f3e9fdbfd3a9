import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema.js';
import { startSearchUpstream } from '../support/search-upstream.js';
import { readSseEvents } from '../support/sse.js';
import { startTestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { anthropicMessages } from '../upstreams/anthropic-messages.js';
import { gemini } from '../upstreams/gemini.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { openaiResponses } from '../upstreams/openai-responses.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

const keys = {
  OPENAI_API_KEY: 'sk-openai-test-key',
  ANTHROPIC_API_KEY: 'sk-ant-test-key',
  GEMINI_API_KEY: 'gemini-test-key',
  ACME_API_KEY: 'acme-test-key',
};

const question = 'Who won the 2026 Tour de France?';

/** What the SearXNG backend serves: never what a native search answers. */
const backendResults = [
  { url: 'https://backend.example/tour', title: 'Backend page', snippet: 'From our own search backend.' },
];

type Name = 'openai' | 'anthropic' | 'google' | 'acme';

/** Starts the provider upstreams and a SearXNG server, and an app over them with `search`. */
async function startSearchApps(driver: (typeof drivers)[number], search: Record<string, unknown>) {
  const upstreams = {} as Record<Name, Upstream>;
  for (const name of ['openai', 'anthropic', 'google', 'acme'] as const)
    upstreams[name] = await startUpstream();
  const searxng = await startSearchUpstream('searxng');
  searxng.results = backendResults;
  const app = await startTestApp({
    driver,
    env: {
      ...keys,
      OPENAI_BASE_URL: `${upstreams.openai.url}/v1`,
      ANTHROPIC_BASE_URL: `${upstreams.anthropic.url}/v1`,
      GEMINI_BASE_URL: `${upstreams.google.url}/v1beta`,
    },
    configFile: {
      providers: [
        {
          name: 'acme',
          kind: 'openai-compatible',
          baseURL: `${upstreams.acme.url}/v1`,
          apiKeyEnv: 'ACME_API_KEY',
        },
      ],
      // Claimed by the operator, but an OpenAI-compatible server has no search tool we can pass.
      models: [{ id: 'acme/fast-1', capabilities: ['search'] }],
      search: {
        ...search,
        ...(search.backend === undefined
          ? {}
          : { backend: { kind: 'searxng', baseURL: searxng.url, results: 3, timeoutMs: 500 } }),
      },
    },
  });
  return {
    app,
    upstreams,
    searxng,
    close: async () => {
      await app.close();
      await searxng.close();
      for (const upstream of Object.values(upstreams)) await upstream.close();
    },
  };
}

type Started = Awaited<ReturnType<typeof startSearchApps>>;

const ask = (model: string, extra: Record<string, unknown> = {}) => ({
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: question },
  ],
  models: [model],
  search: true,
  ...extra,
});

/** The text of every message the upstream was sent, whatever its wire format. */
const sentText = (body: unknown): string => JSON.stringify(body);

describe.each(drivers)('native web search with search.mode auto on %s', (driver) => {
  let s: Started;
  beforeAll(async () => {
    s = await startSearchApps(driver, { mode: 'auto', backend: 'searxng' });
  });
  afterAll(async () => {
    await s.close();
  });
  beforeEach(() => {
    for (const upstream of Object.values(s.upstreams)) upstream.reset();
    s.searxng.received.length = 0;
  });

  it('Anthropic: sends the web_search tool, no backend sources, and returns its pages as citations', async () => {
    s.upstreams.anthropic.reply(
      anthropicMessages.stream(['Tadej ', 'Pogačar won.'], {
        search: {
          query: 'Tour de France 2026 winner',
          results: [
            { url: 'https://news.example/tour-2026', title: 'Tour 2026 report' },
            { url: 'https://cycling.example/results', title: 'Results' },
          ],
          citations: [
            { url: 'https://cycling.example/results', title: 'Results', citedText: 'Pogačar takes the win' },
            { url: 'https://extra.example/cited', title: 'Cited only', citedText: 'A page only cited' },
          ],
        },
      }),
    );
    const response = await s.app.post('/api/v1/completions', ask('anthropic/claude-sonnet-4-5'));
    expect(response.status).toBe(200);
    const body = await response.json();

    const [sent] = s.upstreams.anthropic.received;
    expect(sent!.path).toBe('/v1/messages');
    expect((sent!.body as { tools: unknown }).tools).toEqual([
      { type: 'web_search_20250305', name: 'web_search' },
    ]);
    // `auto` prefers the provider's search: our backend was not asked, nor its sources sent.
    expect(s.searxng.received).toHaveLength(0);
    expect(sentText(sent!.body)).not.toContain('backend.example');

    expect(body.message.content).toEqual([{ type: 'text', text: 'Tadej Pogačar won.' }]);
    // Numbered by first appearance; a cited page keeps its place and gains the cited text.
    expect(body.citations).toEqual([
      { index: 1, url: 'https://news.example/tour-2026', title: 'Tour 2026 report', snippet: '' },
      {
        index: 2,
        url: 'https://cycling.example/results',
        title: 'Results',
        snippet: 'Pogačar takes the win',
      },
      { index: 3, url: 'https://extra.example/cited', title: 'Cited only', snippet: 'A page only cited' },
    ]);
    expect(body.search).toEqual({ status: 'ok', method: 'native', results: 3 });
    expect(body.usage.costs.search_cost).toBe(0);

    await s.app.settled();
    const [answer] = await s.app.db.database.db
      .select({ citations: messages.citations })
      .from(messages)
      .where(eq(messages.id, body.responseMessageId));
    expect(answer!.citations).toEqual(body.citations);
  });

  it('Gemini: sends the google_search tool and returns the grounding chunks as citations', async () => {
    const redirect = 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/abc';
    s.upstreams.google.reply(
      gemini.stream(['Pogačar ', 'won.'], {
        grounding: {
          queries: ['Tour de France 2026 winner'],
          chunks: [
            { uri: redirect, title: 'letour.fr' },
            { uri: `${redirect}2`, title: 'cyclingnews.com' },
          ],
        },
      }),
    );
    const response = await s.app.post('/api/v1/completions', ask('google/gemini-2.5-flash'));
    expect(response.status).toBe(200);
    const body = await response.json();

    const [sent] = s.upstreams.google.received;
    expect(sent!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect((sent!.body as { tools: unknown }).tools).toEqual([{ googleSearch: {} }]);
    expect(s.searxng.received).toHaveLength(0);
    expect(body.citations).toEqual([
      { index: 1, url: redirect, title: 'letour.fr', snippet: '' },
      { index: 2, url: `${redirect}2`, title: 'cyclingnews.com', snippet: '' },
    ]);
  });

  it('OpenAI: searches on the Responses API with the web_search tool and returns its url_citation annotations', async () => {
    s.upstreams.openai.reply(
      openaiResponses.stream(['Pogačar ', 'won.'], {
        searchQuery: 'Tour de France 2026 winner',
        citations: [
          { url: 'https://news.example/tour-2026?utm_source=openai', title: 'Tour 2026 report' },
          { url: 'https://news.example/tour-2026?utm_source=openai', title: 'Tour 2026 report' },
        ],
        usage: { input_tokens: 300, output_tokens: 4 },
      }),
    );
    const response = await s.app.post('/api/v1/completions', ask('openai/gpt-4o', { stream: true }));
    expect(response.status).toBe(200);
    const events = await readSseEvents(response);

    const [sent] = s.upstreams.openai.received;
    expect(sent!.path).toBe('/v1/responses');
    const sentBody = sent!.body as { model: string; tools: unknown; stream: boolean };
    expect(sentBody.model).toBe('gpt-4o');
    expect(sentBody.stream).toBe(true);
    expect(sentBody.tools).toEqual([{ type: 'web_search' }]);
    expect(s.searxng.received).toHaveLength(0);

    const completion = events.at(-1)!;
    expect(completion.type).toBe('done');
    expect(completion.citations).toEqual([
      {
        index: 1,
        url: 'https://news.example/tour-2026?utm_source=openai',
        title: 'Tour 2026 report',
        snippet: '',
      },
    ]);
    expect((completion.usage as { promptTokens: number }).promptTokens).toBe(300);
  });

  it('the OpenAI-compatible surface returns native citations as url_citation annotations', async () => {
    s.upstreams.anthropic.reply(
      anthropicMessages.stream(['Pogačar won.'], {
        search: { query: 'tour', results: [{ url: 'https://news.example/tour-2026', title: 'Tour 2026' }] },
      }),
    );
    const response = await s.app.post('/v1/chat/completions', {
      model: 'anthropic/claude-sonnet-4-5',
      messages: [{ role: 'user', content: question }],
      web_search_options: {},
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    // No `[n]` markers in a natively searched answer: the page annotates the whole answer.
    expect(body.choices[0].message.annotations).toEqual([
      {
        type: 'url_citation',
        url_citation: {
          start_index: 0,
          end_index: 'Pogačar won.'.length,
          url: 'https://news.example/tour-2026',
          title: 'Tour 2026',
        },
      },
    ]);
  });

  it('a model without native search gets the backend sources, and a fallback keeps its own way of searching', async () => {
    // The native candidate fails for good (400), the fallback answers with the backend's sources.
    s.upstreams.anthropic.reply(anthropicMessages.error(400, 'invalid_request_error', 'bad request'));
    s.upstreams.acme.reply(openaiChat.stream(['From the backend.']));
    const response = await s.app.post(
      '/api/v1/completions',
      ask('anthropic/claude-sonnet-4-5', { fallback_models: ['acme/fast-1'] }),
    );
    expect(response.status).toBe(200);
    const body = await response.json();

    // Searched once, for the candidate that needs the backend.
    expect(s.searxng.received).toHaveLength(1);
    const [native] = s.upstreams.anthropic.received;
    expect((native!.body as { tools?: unknown }).tools).toBeDefined();
    expect(sentText(native!.body)).not.toContain('backend.example');
    const [grounded] = s.upstreams.acme.received;
    expect((grounded!.body as { tools?: unknown }).tools).toBeUndefined();
    expect(sentText(grounded!.body)).toContain('https://backend.example/tour');

    expect(body.model).toBe('fast-1');
    expect(body.citations).toEqual([
      {
        index: 1,
        url: 'https://backend.example/tour',
        title: 'Backend page',
        snippet: 'From our own search backend.',
      },
    ]);
    expect(body.search).toEqual({ status: 'ok', query: question, results: 1 });
  });

  it('a request without search sends no search tool', async () => {
    s.upstreams.anthropic.reply(anthropicMessages.stream(['Hi.']));
    const response = await s.app.post(
      '/api/v1/completions',
      ask('anthropic/claude-sonnet-4-5', { search: false }),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect((s.upstreams.anthropic.received[0]!.body as { tools?: unknown }).tools).toBeUndefined();
    expect(body.citations).toEqual([]);
    expect(body.search).toBeUndefined();
  });
});

describe.each(drivers)('search.mode rules on %s', (driver) => {
  describe('backend', () => {
    let s: Started;
    beforeAll(async () => {
      s = await startSearchApps(driver, { mode: 'backend', backend: 'searxng' });
    });
    afterAll(async () => {
      await s.close();
    });

    it('never sends a provider search tool: the model gets the backend sources', async () => {
      s.upstreams.anthropic.reply(anthropicMessages.stream(['From the backend.']));
      const response = await s.app.post('/api/v1/completions', ask('anthropic/claude-sonnet-4-5'));
      expect(response.status).toBe(200);
      const body = await response.json();
      const [sent] = s.upstreams.anthropic.received;
      expect((sent!.body as { tools?: unknown }).tools).toBeUndefined();
      expect(sentText(sent!.body)).toContain('https://backend.example/tour');
      expect(s.searxng.received).toHaveLength(1);
      expect(body.citations).toEqual([
        {
          index: 1,
          url: 'https://backend.example/tour',
          title: 'Backend page',
          snippet: 'From our own search backend.',
        },
      ]);
    });
  });

  describe('native', () => {
    let s: Started;
    beforeAll(async () => {
      // No backend at all: only the providers' own search.
      s = await startSearchApps(driver, { mode: 'native' });
    });
    afterAll(async () => {
      await s.close();
    });

    it('rejects models without native search with a 422 naming the reason', async () => {
      const response = await s.app.post('/api/v1/completions', {
        ...ask('local/echo'),
        fallback_models: ['acme/fast-1'],
      });
      expect(response.status).toBe(422);
      const body = await response.json();
      expect(body.error.code).toBe('no_eligible_model');
      const reason =
        'web search is not available for this model: search.mode is "native" and the model has no native search';
      expect(body.error.candidates).toEqual([
        { model: 'local/echo', reason },
        { model: 'acme/fast-1', reason },
      ]);
      expect(s.upstreams.acme.received).toHaveLength(0);
    });

    it('serves a model with native search', async () => {
      s.upstreams.google.reply(
        gemini.stream(['Pogačar.'], {
          grounding: { queries: ['q'], chunks: [{ uri: 'https://a.example/', title: 'a' }] },
        }),
      );
      const response = await s.app.post('/api/v1/completions', ask('google/gemini-2.5-flash'));
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.citations).toEqual([{ index: 1, url: 'https://a.example/', title: 'a', snippet: '' }]);
    });
  });
});
