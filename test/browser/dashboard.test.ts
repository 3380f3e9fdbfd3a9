import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, queryData } from '../support/graphql.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { openaiChat, startUpstream, type Upstream } from '../upstreams/index.js';
import { type Browser, desktop, launchChromium, phone, screenshot } from './chromium.js';
import { ensureDashboardBuilt } from './dashboard-build.js';

const answerPieces = ['Streaming ', 'through ', 'the ', 'gateway.'];
// A small picture for a vision turn: an SVG as a data URL.
const picture = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="90"><rect width="160" height="90" fill="#3867d6"/><circle cx="120" cy="30" r="18" fill="#f7b731"/></svg>',
).toString('base64')}`;

const usageTotalsQuery = `
  query Totals($from: DateTime) {
    usage(from: $from) {
      totals { requests errors errorRate totalTokens totalTokensCost latencyP50 latencyP95 ttftP50 ttftP95 }
    }
  }
`;
interface Totals {
  requests: number;
  errors: number;
  errorRate: number;
  totalTokens: number;
  totalTokensCost: string;
  latencyP50: number | null;
  latencyP95: number | null;
  ttftP50: number | null;
  ttftP95: number | null;
}

describe('the dashboard in Chromium', { timeout: 120_000 }, () => {
  let t: TestApp;
  let upstream: Upstream;
  let browser: Browser;
  let userKey: string;
  let adminConversationId: string;

  const complete = async (text: string, key = adminKey) => {
    const response = await t.post(
      '/api/v1/completions',
      { messages: [{ role: 'user', content: text }], models: ['acme/fast-1'] },
      key,
    );
    return { status: response.status, body: (await response.json()) as { conversationId?: string } };
  };

  const signIn = async (key: string, viewport = desktop): Promise<Page> => {
    const page = await browser.newPage(viewport);
    await page.goto(`${t.url}/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').waitFor();
    return page;
  };

  const open = async (page: Page, name: string) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).click();
  };

  beforeAll(async () => {
    ensureDashboardBuilt();
    upstream = await startUpstream();
    // Every answer streams in four pieces, a little apart, so the page can be seen filling in.
    upstream.replyByDefault(() => ({
      ...openaiChat.stream(answerPieces, { usage: { prompt_tokens: 12, completion_tokens: 8 } }),
      chunkDelayMs: 150,
    }));
    t = await startTestApp({
      driver: 'pglite',
      env: { ACME_API_KEY: 'acme-test-key' },
      configFile: {
        providers: [
          {
            name: 'acme',
            kind: 'openai-compatible',
            baseURL: `${upstream.url}/v1`,
            apiKeyEnv: 'ACME_API_KEY',
          },
        ],
        models: [
          {
            id: 'acme/fast-1',
            contextWindow: 32000,
            inputPricePerMTok: 0.5,
            outputPricePerMTok: 4,
            capabilities: ['tools', 'vision'],
          },
        ],
      },
    });
    const created = await queryData<{ createApiKey: { secret: string } }>(
      t.url,
      'mutation { createApiKey(input: { name: "alice", scopes: [USER] }) { secret } }',
    );
    userKey = created.createApiKey.secret;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await upstream?.close();
  });

  it('signs in with a pasted key kept in sessionStorage only, refuses a wrong one, and signs out', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/`);
    expect(new URL(page.url()).pathname).toBe('/ui/');
    await screenshot(page, 'sign-in-1280');
    await page.getByLabel('API key').fill('sy-not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('does not accept this key').waitFor();

    await page.getByLabel('API key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toContain('admin');
    expect(
      await page.evaluate(() => [localStorage.length, sessionStorage.getItem('switchyard.apiKey')]),
    ).toEqual([0, adminKey]);
    expect(await page.content()).not.toContain(adminKey);

    // A reload keeps the session; signing out forgets the key.
    await page.reload();
    await page.getByTestId('signed-in-as').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.setViewportSize(phone);
    await screenshot(page, 'sign-in-390');
    await page.close();
  });

  it("shows overview totals equal to the usage query's after a few completions", async () => {
    for (const n of [1, 2, 3])
      expect(await complete(`admin question ${n} about routing`)).toMatchObject({ status: 200 });
    upstream.reply(
      openaiChat.error(400, { message: 'this request is refused', type: 'invalid_request_error' }),
    );
    expect((await complete('a refused question')).status).toBe(400);
    const alice = await complete("alice's own question", userKey);
    expect(alice.status).toBe(200);
    adminConversationId = (await complete('admin private notes')).body.conversationId!;
    await t.settled();

    const page = await signIn(adminKey);
    const overview = page.getByTestId('overview');
    await expect.poll(() => page.getByTestId('stat-requests').getAttribute('data-value')).toBe('6');
    const from = (await overview.getAttribute('data-from')) || null;
    expect(from).not.toBeNull();
    const { usage } = await queryData<{ usage: { totals: Totals } }>(t.url, usageTotalsQuery, { from });
    const shown = async (id: string) => page.getByTestId(`stat-${id}`).getAttribute('data-value');
    expect(await shown('requests')).toBe(String(usage.totals.requests));
    expect(await shown('tokens')).toBe(String(usage.totals.totalTokens));
    expect(await shown('spend')).toBe(usage.totals.totalTokensCost);
    expect(await shown('error-rate')).toBe(String(usage.totals.errorRate));
    expect(await shown('latency-p50')).toBe(String(usage.totals.latencyP50));
    expect(await shown('ttft-p50')).toBe(String(usage.totals.ttftP50));
    expect(usage.totals).toMatchObject({ requests: 6, errors: 1, totalTokensCost: '0.00019' });
    expect(await page.getByTestId('stat-spend').textContent()).toBe('$0.00019');

    await page.getByRole('region', { name: 'By model' }).getByText('acme/fast-1').waitFor();
    await page.getByRole('region', { name: 'By key' }).getByText('alice').waitFor();
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(4);
    await screenshot(page, 'overview-1280');
    await page.setViewportSize(phone);
    await screenshot(page, 'overview-390');
    await page.close();
  });

  it('streams a playground answer, which then appears in Live and in Conversations', async () => {
    const live = await signIn(adminKey);
    await open(live, 'Live');
    await live.getByText('Waiting for completions').waitFor();
    // Time for the subscription to reach the server before the completion finishes.
    await live.waitForTimeout(500);

    const page = await signIn(adminKey);
    await open(page, 'Playground');
    await page.getByLabel('Message 1', { exact: true }).fill('Tell me about routing in the playground');
    await page.getByLabel('local/echo').uncheck();
    await page.getByLabel('acme/fast-1').check();
    await page.getByLabel('Temperature').fill('0.3');
    await page.getByLabel('Max tokens').fill('64');
    // Record every text the answer shows on its way, to see it arrive in pieces.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="answer-text"]')?.textContent ?? '';
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('[data-testid="answer"][data-status="done"]').waitFor();
    expect(await page.getByTestId('answer-text').textContent()).toBe(answerPieces.join(''));
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toBe(answerPieces.join(''));
    const attempts = page.getByTestId('attempts');
    await attempts.getByText('acme/fast-1').waitFor();
    await attempts.getByText('succeeded').waitFor();
    await page.getByTestId('routing').getByText('acme/fast-1').waitFor();
    const sent = upstream.received.at(-1)!.body as {
      temperature: number;
      max_tokens?: number;
      max_completion_tokens?: number;
    };
    expect(sent.temperature).toBe(0.3);
    expect(sent.max_tokens ?? sent.max_completion_tokens).toBe(64);
    await screenshot(page, 'playground-1280');
    await page.setViewportSize(phone);
    await screenshot(page, 'playground-390');

    // Live: the completion arrived over the subscription; a click opens its conversation.
    const row = live.getByTestId('live-row').filter({ hasText: 'acme/fast-1' });
    await row.first().waitFor();
    await screenshot(live, 'live-1280');
    await live.setViewportSize(phone);
    await screenshot(live, 'live-390');
    await live.setViewportSize(desktop);
    await row.first().getByRole('link').click();
    const conversation = live.getByTestId('conversation');
    await conversation.getByTestId('turn').getByText('Tell me about routing in the playground').waitFor();
    await conversation.getByText(answerPieces.join('')).waitFor();
    await conversation.getByText('1 attempt').click();
    await conversation.getByTestId('attempts').getByText('acme/fast-1').waitFor();
    await screenshot(live, 'conversation-1280');
    await live.setViewportSize(phone);
    await screenshot(live, 'conversation-390');
    await live.setViewportSize(desktop);
    const conversationId = new URL(live.url()).pathname.split('/').at(-1)!;

    // Conversations: found by a title search, renamed, then deleted.
    await open(live, 'Conversations');
    await live.getByRole('searchbox', { name: 'Search titles' }).fill('playground');
    const list = live.getByTestId('conversation-list');
    await list.getByRole('link', { name: 'Tell me about routing in the playground' }).waitFor();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    await screenshot(live, 'conversations-1280');
    await live.setViewportSize(phone);
    await screenshot(live, 'conversations-390');
    await live.setViewportSize(desktop);
    await live.getByRole('searchbox', { name: 'Search titles' }).fill('no title has this');
    await live.getByText('No conversation title contains').waitFor();

    await live.goto(`${t.url}/ui/conversations/${conversationId}`);
    await live.getByRole('button', { name: 'Rename' }).click();
    await live.getByLabel('Title').fill('Renamed in the browser');
    await live.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => live.getByTestId('conversation-title').textContent())
      .toBe('Renamed in the browser');
    const renamed = await queryData<{ conversation: { title: string } }>(
      t.url,
      'query ($id: ID!) { conversation(id: $id) { title } }',
      {
        id: conversationId,
      },
    );
    expect(renamed.conversation.title).toBe('Renamed in the browser');

    await live.getByRole('button', { name: 'Delete' }).click();
    await live.getByRole('button', { name: 'Delete for good' }).click();
    await live.getByTestId('conversations').waitFor();
    const gone = await postGraphQL(t.url, 'query ($id: ID!) { conversation(id: $id) { id } }', {
      id: conversationId,
    });
    expect(gone.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await page.close();
    await live.close();
  });

  it("shows a conversation's images, tool calls, tool results and reasoning", async () => {
    const usage = { usage: { prompt_tokens: 30, completion_tokens: 10 } };
    const tools = [
      { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    ];
    upstream.reply(
      openaiChat.toolCallStream([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }], usage),
    );
    const first = await t.post('/api/v1/completions', {
      models: ['acme/fast-1'],
      tools,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is the weather where this picture was taken?' },
            { type: 'image_url', image_url: { url: picture } },
          ],
        },
      ],
    });
    expect(first.status).toBe(200);
    const { conversationId } = (await first.json()) as { conversationId: string };
    upstream.reply(
      openaiChat.reasoningStream(['The tool says ', 'the sky is clear.'], ['It is clear in Oslo.'], usage),
    );
    const second = await t.post('/api/v1/completions', {
      models: ['acme/fast-1'],
      tools,
      conversationId,
      messages: [
        {
          role: 'tool',
          toolCallId: 'call_1',
          content: [{ type: 'text', text: '{"sky":"clear","celsius":4}' }],
        },
      ],
    });
    expect(second.status).toBe(200);
    await t.settled();

    const page = await signIn(adminKey);
    await page.goto(`${t.url}/ui/conversations/${conversationId}`);
    const turns = page.getByTestId('turn');
    await expect.poll(() => turns.count()).toBe(4);
    expect(await turns.nth(0).locator('img').getAttribute('src')).toBe(picture);
    await turns.nth(1).getByText('get_weather').waitFor();
    await turns.nth(1).getByText('"city": "Oslo"').waitFor();
    await turns.nth(2).getByText('Tool result').waitFor();
    await turns.nth(2).getByText('{"sky":"clear","celsius":4}').waitFor();
    await turns.nth(3).getByText('It is clear in Oslo.').waitFor();
    await turns.nth(3).getByText('Reasoning').click();
    await turns.nth(3).getByText('The tool says the sky is clear.').waitFor();
    await screenshot(page, 'conversation-tools-1280');
    await page.setViewportSize(phone);
    await screenshot(page, 'conversation-tools-390');
    await page.close();
  });

  it('creates a key with limits, shows its secret once, changes its limits and revokes it', async () => {
    const page = await signIn(adminKey);
    await open(page, 'Keys');
    const form = page.getByTestId('create-key');
    await form.getByLabel('Name').fill('ci-bot');
    await form.getByLabel('Budget (US dollars)').fill('5');
    await form.getByLabel('Requests per minute').fill('60');
    await form.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('secret-value').textContent())!;
    expect(secret.length).toBeGreaterThan(20);
    const me = await queryData<{ me: { name: string } }>(t.url, '{ me { name } }', {}, secret);
    expect(me.me.name).toBe('ci-bot');
    await screenshot(page, 'keys-secret-1280');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByTestId('secret').waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);

    const card = page.locator('[data-testid="key-card"][data-key-name="ci-bot"]');
    await card.getByText('60 req/min').waitFor();
    await card.getByTestId('budget').getByText('left of $5 (total)').waitFor();
    await card.getByRole('button', { name: 'Edit limits' }).click();
    await card.getByLabel('Requests per minute').fill('120');
    await card.getByRole('button', { name: 'Save limits' }).click();
    await card.getByText('120 req/min').waitFor();
    await screenshot(page, 'keys-1280');
    await page.setViewportSize(phone);
    await screenshot(page, 'keys-390');
    await page.setViewportSize(desktop);

    await card.getByRole('button', { name: 'Revoke' }).click();
    await card.getByRole('button', { name: 'Revoke now' }).click();
    await card.waitFor({ state: 'detached' });
    await page.getByLabel(/Show revoked/).check();
    await card.getByText('revoked', { exact: true }).waitFor();
    const refused = await postGraphQL(t.url, '{ me { name } }', {}, secret);
    expect(refused.status).toBe(401);
    await page.close();
  });

  it('shows a user key only its own data', async () => {
    const page = await signIn(userKey);
    expect(await page.getByTestId('signed-in-as').textContent()).toBe('alice');
    expect(
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Keys' }).count(),
    ).toBe(0);
    const from = (await page.getByTestId('overview').getAttribute('data-from')) || null;
    const { usage } = await queryData<{ usage: { totals: Totals } }>(
      t.url,
      usageTotalsQuery,
      { from },
      userKey,
    );
    expect(usage.totals.requests).toBe(1);
    await expect.poll(() => page.getByTestId('stat-requests').getAttribute('data-value')).toBe('1');
    expect(await page.getByTestId('stat-spend').getAttribute('data-value')).toBe(
      usage.totals.totalTokensCost,
    );
    const byKey = page.getByRole('region', { name: 'By key' });
    await byKey.getByText('alice').waitFor();
    expect(await byKey.getByRole('listitem').count()).toBe(1);

    await open(page, 'Conversations');
    const list = page.getByTestId('conversation-list');
    await list.getByRole('link', { name: "alice's own question" }).waitFor();
    expect(await list.getByRole('listitem').count()).toBe(1);

    await page.goto(`${t.url}/ui/conversations/${adminConversationId}`);
    await page.getByText('does not exist, or is not yours').waitFor();
    await page.goto(`${t.url}/ui/keys`);
    await page.getByText('Keys are managed with an admin key').waitFor();
    await open(page, 'Live');
    await page.getByText('Waiting for completions').waitFor();
    await page.close();
  });

  it('lays out every page at 1280 px and at phone width without sideways scrolling', async () => {
    const page = await signIn(adminKey);
    await open(page, 'Models');
    const models = page.getByTestId('models-table');
    await models.getByText('acme/fast-1').waitFor();
    await models.getByText('local/echo').waitFor();
    await screenshot(page, 'models-1280');
    for (const [name, path] of [
      ['overview', '/ui/'],
      ['live', '/ui/live'],
      ['conversations', '/ui/conversations'],
      ['playground', '/ui/playground'],
      ['models', '/ui/models'],
      ['keys', '/ui/keys'],
    ] as const) {
      for (const viewport of [desktop, phone]) {
        await page.setViewportSize(viewport);
        await page.goto(`${t.url}${path}`);
        await page.getByTestId(name).waitFor();
        await page.waitForLoadState('networkidle').catch(() => {});
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path} at ${viewport.width} px scrolls sideways`).toBeLessThanOrEqual(0);
      }
    }
    await screenshot(page, 'keys-list-390');
    await page.setViewportSize(phone);
    await page.goto(`${t.url}/ui/models`);
    await page.getByTestId('models-table').waitFor();
    await screenshot(page, 'models-390');
    await page.close();
  });
});
