import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attempts, completions } from '../../src/db/schema.js';
import { readSseEvents } from '../support/sse.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { anthropicMessages } from '../upstreams/anthropic-messages.js';
import { gemini } from '../upstreams/gemini.js';
import { openaiChat, openaiChatEvents } from '../upstreams/openai-chat.js';
import {
  sseHeaders,
  startUpstream,
  type Upstream,
  type UpstreamReply,
} from '../upstreams/scripted-upstream.js';

const keys = {
  OPENAI_API_KEY: 'sk-openai-test-key',
  ANTHROPIC_API_KEY: 'sk-ant-test-key',
  GEMINI_API_KEY: 'gemini-test-key',
  ACME_API_KEY: 'acme-test-key',
};

/** SPEC's example prices: $0.5 and $4 per million input and output tokens. */
const specPrices = { inputPricePerMTok: 0.5, outputPricePerMTok: 4 };

describe.each(drivers)('completions through upstream providers on %s', (driver) => {
  let t: TestApp;
  const upstreams: Record<'openai' | 'anthropic' | 'google' | 'acme', Upstream> = {} as never;

  beforeAll(async () => {
    for (const name of ['openai', 'anthropic', 'google', 'acme'] as const)
      upstreams[name] = await startUpstream();
    t = await startTestApp({
      driver,
      random: () => 0,
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
        models: [
          { id: 'acme/fast-1', contextWindow: 32_000, ...specPrices },
          { id: 'openai/gpt-4o', ...specPrices },
          { id: 'anthropic/claude-sonnet-4-5', ...specPrices },
          { id: 'google/gemini-2.5-flash', ...specPrices },
        ],
      },
    });
  });
  beforeEach(() => {
    for (const upstream of Object.values(upstreams)) upstream.reset();
  });
  afterAll(async () => {
    await t.close();
    for (const upstream of Object.values(upstreams)) await upstream.close();
  });

  const ask = (model: string, extra: Record<string, unknown> = {}) =>
    t.post('/api/v1/completions', {
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Explain LLM routing.' },
      ],
      models: [model],
      ...extra,
    });

  const cases: [string, keyof typeof upstreams, UpstreamReply, string, Record<string, string>][] = [
    [
      'openai/gpt-4o',
      'openai',
      openaiChat.stream(['Routing ', 'picks a model.'], {
        usage: { prompt_tokens: 120, completion_tokens: 80 },
      }),
      '/v1/chat/completions',
      { authorization: `Bearer ${keys.OPENAI_API_KEY}` },
    ],
    [
      'anthropic/claude-sonnet-4-5',
      'anthropic',
      anthropicMessages.stream(['Routing ', 'picks a model.'], {
        usage: { input_tokens: 120, output_tokens: 80 },
      }),
      '/v1/messages',
      { 'x-api-key': keys.ANTHROPIC_API_KEY },
    ],
    [
      'google/gemini-2.5-flash',
      'google',
      gemini.stream(['Routing ', 'picks a model.'], {
        usage: { promptTokenCount: 120, candidatesTokenCount: 80 },
      }),
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      { 'x-goog-api-key': keys.GEMINI_API_KEY },
    ],
    [
      'acme/fast-1',
      'acme',
      openaiChat.stream(['Routing ', 'picks a model.'], {
        model: 'fast-1',
        usage: { prompt_tokens: 120, completion_tokens: 80 },
      }),
      '/v1/chat/completions',
      { authorization: `Bearer ${keys.ACME_API_KEY}` },
    ],
  ];

  it.each(cases)(
    'answers through %s with its usage and the exact cost',
    async (id, name, reply, path, auth) => {
      upstreams[name].reply(reply);
      const response = await ask(id);
      expect(response.status).toBe(200);
      const body = await response.json();
      const [provider, model] = [id.slice(0, id.indexOf('/')), id.slice(id.indexOf('/') + 1)];
      expect(body).toMatchObject({
        provider,
        model,
        message: { role: 'assistant', content: [{ type: 'text', text: 'Routing picks a model.' }] },
        usage: {
          promptTokens: 120,
          completionTokens: 80,
          totalTokens: 200,
          reasoningTokens: 0,
          estimated: false,
          unpriced: false,
          costs: { input_tokens_cost: 0.00006, output_tokens_cost: 0.00032, total_tokens_cost: 0.00038 },
        },
        finishReason: 'stop',
        attempts: [{ provider, model, outcome: 'succeeded', errorKind: null }],
      });

      const [request] = upstreams[name].received;
      expect(request!.path).toBe(path);
      expect(request!.headers).toMatchObject(auth);
      expect(JSON.stringify(request!.body)).toContain('You are terse.');
      expect(JSON.stringify(request!.body)).toContain('Explain LLM routing.');

      await t.settled();
      const [row] = await t.db.database.db
        .select()
        .from(completions)
        .where(eq(completions.responseMessageId, body.responseMessageId));
      expect(row).toMatchObject({
        provider,
        model,
        status: 'succeeded',
        promptTokens: 120,
        completionTokens: 80,
        usageEstimated: false,
        unpriced: false,
        inputCost: '0.000060000000',
        outputCost: '0.000320000000',
        totalCost: '0.000380000000',
      });
    },
  );

  it('streams an answer from an upstream as text events then done', async () => {
    upstreams.anthropic.reply(anthropicMessages.stream(['One ', 'two ', 'three.']));
    const response = await ask('anthropic/claude-sonnet-4-5', { stream: true });
    expect(response.status).toBe(200);
    const events = await readSseEvents(response);
    expect(events.filter((event) => event.type === 'text').map((event) => event.text)).toEqual([
      'One ',
      'two ',
      'three.',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'done', provider: 'anthropic', model: 'claude-sonnet-4-5' });
  });

  it('measures time to first token from the upstream stream, for a non-streaming client too', async () => {
    upstreams.openai.reply({ ...openaiChat.stream(['late ', 'answer']), firstByteDelayMs: 250 });
    const body = await (await ask('openai/gpt-4o')).json();
    expect(body.message.content[0].text).toBe('late answer');
    expect(body.ttft).toBeGreaterThanOrEqual(250);
    expect(body.latency).toBeGreaterThanOrEqual(body.ttft);
    expect(upstreams.openai.received[0]!.body).toMatchObject({ stream: true });
  });

  it('prices a model from the shipped catalog when the config does not', async () => {
    upstreams.openai.reply(
      openaiChat.stream(['ok'], { usage: { prompt_tokens: 120, completion_tokens: 80 } }),
    );
    const body = await (await ask('openai/gpt-4o-mini')).json();
    // gpt-4o-mini: $0.15 and $0.60 per million tokens.
    expect(body.usage.costs).toEqual({
      input_tokens_cost: 0.000018,
      output_tokens_cost: 0.000048,
      search_cost: 0,
      total_tokens_cost: 0.000066,
    });
    expect(body.usage.unpriced).toBe(false);
  });

  it('serves a model the catalog lacks at zero cost, flagged unpriced', async () => {
    upstreams.acme.reply(openaiChat.stream(['ok'], { usage: { prompt_tokens: 10, completion_tokens: 2 } }));
    const body = await (await ask('acme/mystery-model')).json();
    expect(body.usage).toMatchObject({
      promptTokens: 10,
      unpriced: true,
      costs: { input_tokens_cost: 0, output_tokens_cost: 0, total_tokens_cost: 0 },
    });
  });

  it('estimates usage, flagged, when the upstream finished without reporting any', async () => {
    upstreams.openai.reply(openaiChat.stream(['Four words of text'], { usage: null }));
    const body = await (await ask('openai/gpt-4o')).json();
    expect(body.usage.estimated).toBe(true);
    expect(body.usage.promptTokens).toBeGreaterThan(5);
    expect(body.usage.completionTokens).toBe(4);
    expect(body.usage.costs.total_tokens_cost).toBeGreaterThan(0);
    await t.settled();
    const [row] = await t.db.database.db
      .select()
      .from(completions)
      .where(eq(completions.responseMessageId, body.responseMessageId));
    expect(row!.usageEstimated).toBe(true);
  });

  it('sends the stored turns of a continued conversation, system included, to the upstream', async () => {
    upstreams.openai.reply(openaiChat.stream(['First answer.']), openaiChat.stream(['Second answer.']));
    const first = await (await ask('openai/gpt-4o')).json();
    const second = await t.post('/api/v1/completions', {
      messages: [{ role: 'user', content: 'And then?' }],
      models: ['openai/gpt-4o'],
      conversationId: first.conversationId,
    });
    expect(second.status).toBe(200);
    expect((await second.json()).message.content[0].text).toBe('Second answer.');
    expect(upstreams.openai.received[1]!.body).toMatchObject({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Explain LLM routing.' },
        { role: 'assistant', content: 'First answer.' },
        { role: 'user', content: 'And then?' },
      ],
    });
  });

  it('retries a retryable upstream failure and records both attempts', async () => {
    upstreams.google.reply(
      gemini.error(503, 'UNAVAILABLE', 'The model is overloaded.'),
      gemini.stream(['Recovered.']),
    );
    const response = await ask('google/gemini-2.5-flash', { maxRetries: 1 });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.attempts).toMatchObject([
      { provider: 'google', outcome: 'failed', errorKind: 'overloaded', status: 503 },
      { provider: 'google', outcome: 'succeeded' },
    ]);
    await t.settled();
    const [row] = await t.db.database.db
      .select()
      .from(completions)
      .where(eq(completions.responseMessageId, body.responseMessageId));
    const stored = await t.db.database.db.select().from(attempts).where(eq(attempts.completionId, row!.id));
    expect(stored.map((attempt) => attempt.errorKind).sort()).toEqual(['overloaded', null].sort());
  });

  it('fails over to the next model when an upstream rejects the key, and never shows it', async () => {
    upstreams.openai.reply(
      openaiChat.error(401, {
        message: `Incorrect API key provided: ${keys.OPENAI_API_KEY}`,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      }),
    );
    upstreams.acme.reply(openaiChat.stream(['From acme.']));
    const response = await t.post('/api/v1/completions', {
      messages: [{ role: 'user', content: 'hi' }],
      models: ['openai/gpt-4o'],
      fallback_models: ['acme/fast-1'],
      strategy: 'ordered',
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).not.toContain(keys.OPENAI_API_KEY);
    expect(JSON.parse(text).attempts).toMatchObject([
      { provider: 'openai', outcome: 'failed', errorKind: 'auth', status: 401 },
      { provider: 'acme', outcome: 'succeeded' },
    ]);
    expect(upstreams.openai.received).toHaveLength(1);
  });

  it('answers 502 with the attempts when the only upstream cuts its stream before any text', async () => {
    upstreams.anthropic.replyByDefault({ status: 200, headers: sseHeaders, chunks: [], end: 'destroy' });
    try {
      const response = await ask('anthropic/claude-sonnet-4-5', { maxRetries: 0 });
      expect(response.status).toBe(502);
      const { error } = await response.json();
      expect(error.code).toBe('upstream_failed');
      expect(error.attempts).toMatchObject([{ provider: 'anthropic', outcome: 'failed' }]);
    } finally {
      upstreams.anthropic.replyByDefault(anthropicMessages.error(500, 'api_error', 'no scripted reply'));
    }
  });

  it('cancels the upstream request when the client goes away mid-stream', async () => {
    const events = openaiChatEvents(['first words'], {});
    upstreams.openai.reply({ status: 200, headers: sseHeaders, chunks: events.slice(0, 2), end: 'hang' });
    const controller = new AbortController();
    const response = await fetch(`${t.url}/api/v1/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sy-test-admin-key-0123456789abcdef',
      },
      body: JSON.stringify({
        messages: [{ role: 'user', content: 'hi' }],
        models: ['openai/gpt-4o'],
        stream: true,
      }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('first words');
    controller.abort();
    await upstreams.openai.received[0]!.clientClosed;
    expect(upstreams.openai.received[0]!.closedEarly).toBe(true);
  });
});
