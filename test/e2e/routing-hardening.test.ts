import { eq } from 'drizzle-orm';
import OpenAI, { BadRequestError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completions, messages } from '../../src/db/schema.js';
import { postGraphQL } from '../support/graphql.js';
import { readSseEvents } from '../support/sse.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { anthropicEvents, anthropicMessages } from '../upstreams/anthropic-messages.js';
import { gemini, geminiEvents } from '../upstreams/gemini.js';
import { openaiChat, openaiChatEvents } from '../upstreams/openai-chat.js';
import {
  sseEvent,
  sseHeaders,
  startUpstream,
  type Upstream,
  type UpstreamReply,
} from '../upstreams/scripted-upstream.js';

/** Deadlines short enough for tests: the idle one is the longer, as a healthy pause needs. */
const ttftTimeoutMs = 300;
const idleTimeoutMs = 1_000;

type Format = 'openai' | 'anthropic' | 'google';

/** What each wire format sends for the same situations. */
interface WireFormat {
  model: string;
  /** Some text, then nothing that finishes the answer. */
  unfinished(pieces: string[]): string[];
  /** Some text, then an error event inside the stream. */
  errorEvent(pieces: string[]): UpstreamReply;
  /** A content-policy refusal, and the reason the provider gave. */
  refusals: { name: string; reply: UpstreamReply; reason: string }[];
  /** The provider's 400 for a request it cannot take, and its reason. */
  rejection: { reply: UpstreamReply; reason: string };
}

const formats: Record<Format, WireFormat> = {
  openai: {
    model: 'openai/gpt-4o',
    unfinished: (pieces) => openaiChatEvents(pieces, { finishReason: null, usage: null, done: false }),
    errorEvent: (pieces) =>
      openaiChat.streamError(pieces, { message: 'The server had an error', type: 'server_error' }),
    refusals: [
      {
        name: 'a 400 content_policy_violation',
        reply: openaiChat.error(400, {
          message: 'Your request was rejected as a result of our safety system.',
          type: 'invalid_request_error',
          code: 'content_policy_violation',
        }),
        reason: 'Your request was rejected as a result of our safety system.',
      },
      {
        name: 'finish_reason content_filter without text',
        reply: openaiChat.stream([], { finishReason: 'content_filter' }),
        reason: '(content_filter)',
      },
    ],
    rejection: {
      reply: openaiChat.error(400, {
        message: "Invalid schema for function 'get_weather'.",
        type: 'invalid_request_error',
        code: 'invalid_function_parameters',
      }),
      reason: "Invalid schema for function 'get_weather'.",
    },
  },
  anthropic: {
    model: 'anthropic/claude-sonnet-4-5',
    unfinished: (pieces) => anthropicEvents(pieces, { stopReason: null, messageStop: false }),
    errorEvent: (pieces) => anthropicMessages.streamError(pieces, 'overloaded_error', 'Overloaded'),
    refusals: [
      {
        name: 'stop_reason refusal without text',
        reply: anthropicMessages.stream([], { stopReason: 'refusal' }),
        reason: '(refusal)',
      },
    ],
    rejection: {
      reply: anthropicMessages.error(400, 'invalid_request_error', 'temperature: range: 0..1'),
      reason: 'temperature: range: 0..1',
    },
  },
  google: {
    model: 'google/gemini-2.5-flash',
    unfinished: (pieces) => geminiEvents(pieces, { finishReason: null }),
    errorEvent: (pieces) => ({
      status: 200,
      headers: sseHeaders,
      chunks: [
        ...geminiEvents(pieces, { finishReason: null }),
        sseEvent({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }),
      ],
    }),
    refusals: [{ name: 'a blocked prompt', reply: gemini.blocked('SAFETY'), reason: '(SAFETY)' }],
    rejection: {
      reply: gemini.error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'),
      reason: 'Invalid JSON payload received.',
    },
  },
};
const formatNames = Object.keys(formats) as Format[];

/** The four ways an upstream breaks after some text. */
const midAnswerBreaks: [string, (format: WireFormat) => UpstreamReply, string | undefined][] = [
  [
    'a cut socket',
    (f) => ({
      status: 200,
      headers: sseHeaders,
      chunks: f.unfinished(['Partial', ' answer']),
      end: 'destroy',
    }),
    undefined,
  ],
  [
    'a stall',
    (f) => ({ status: 200, headers: sseHeaders, chunks: f.unfinished(['Partial', ' answer']), end: 'hang' }),
    `the stream stalled for ${idleTimeoutMs} ms`,
  ],
  ['an error event', (f) => f.errorEvent(['Partial', ' answer']), undefined],
  [
    'an end without finish',
    (f) => ({ status: 200, headers: sseHeaders, chunks: f.unfinished(['Partial', ' answer']), end: 'end' }),
    undefined,
  ],
];

const routingConfig = {
  strategy: 'ordered',
  ttftTimeoutMs,
  idleTimeoutMs,
  maxRetryAfterMs: 0,
  // Every test breaks the same few models on purpose: keep their circuits closed.
  circuitBreaker: { consecutiveFailures: 1_000, minimumAttempts: 1_000 },
};

const ask = (models: string[], extra: Record<string, unknown> = {}) => ({
  messages: [{ role: 'user', content: 'Tell me something' }],
  models,
  maxRetries: 0,
  ...extra,
});

describe.each(drivers)('routing hardening through the real server on %s', (driver) => {
  const upstreams = {} as Record<Format | 'backup', Upstream>;
  let t: TestApp;
  /** The same server with `routing.contentFilterFallback: true`. */
  let lenient: TestApp;

  const options = (contentFilterFallback: boolean) => ({
    driver,
    random: () => 0,
    env: {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${upstreams.openai.url}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: `${upstreams.anthropic.url}/v1`,
      GEMINI_API_KEY: 'gemini-test',
      GEMINI_BASE_URL: `${upstreams.google.url}/v1beta`,
      BACKUP_API_KEY: 'backup-key',
    },
    configFile: {
      providers: [
        {
          name: 'backup',
          kind: 'openai-compatible',
          baseURL: `${upstreams.backup.url}/v1`,
          apiKeyEnv: 'BACKUP_API_KEY',
        },
      ],
      models: [{ id: 'backup/steady', inputPricePerMTok: 0.5, outputPricePerMTok: 4 }],
      routing: { ...routingConfig, contentFilterFallback },
    },
  });

  beforeAll(async () => {
    for (const name of [...formatNames, 'backup'] as const) upstreams[name] = await startUpstream();
    t = await startTestApp(options(false));
    lenient = await startTestApp(options(true));
  });
  afterAll(async () => {
    await t.close();
    await lenient.close();
    for (const upstream of Object.values(upstreams)) await upstream.close();
  });
  beforeEach(() => {
    for (const upstream of Object.values(upstreams)) upstream.reset();
  });

  const storedAnswer = async (responseMessageId: string) => {
    await t.settled();
    const { db } = t.db.database;
    const [completion] = await db
      .select()
      .from(completions)
      .where(eq(completions.responseMessageId, responseMessageId));
    const [answer] = await db.select().from(messages).where(eq(messages.id, responseMessageId));
    return { completion, answer };
  };

  describe.each(formatNames)('a non-streamed answer from %s', (name) => {
    const format = formats[name];

    it.each(midAnswerBreaks)(
      'falls back after %s mid-answer and answers only the fallback text',
      async (_what, broken, message) => {
        upstreams[name].reply(broken(format));
        // The fallback's first token comes 200 ms after its request: ttft must show it.
        upstreams.backup.reply({ ...openaiChat.stream(['From', ' backup']), firstByteDelayMs: 200 });
        const response = await t.post(
          '/api/v1/completions',
          ask([format.model], { fallback_models: ['backup/steady'] }),
        );
        expect(response.status).toBe(200);
        const body = await response.json();
        expect(body).toMatchObject({ provider: 'backup', model: 'steady' });
        expect(body.message.content).toEqual([{ type: 'text', text: 'From backup' }]);
        expect(body.attempts).toMatchObject([
          { provider: name, outcome: 'incomplete', ...(message ? { message } : {}) },
          { provider: 'backup', outcome: 'succeeded' },
        ]);
        // Measured from the winning attempt's first token, which came after the failed one ended.
        expect(body.ttft).toBeGreaterThanOrEqual(body.attempts[0].latency + 199);
        expect(upstreams[name].received).toHaveLength(1);
        expect(upstreams.backup.received).toHaveLength(1);

        const { completion, answer } = await storedAnswer(body.responseMessageId);
        expect(completion).toMatchObject({ provider: 'backup', status: 'succeeded' });
        expect(answer).toMatchObject({ complete: true, content: [{ type: 'text', text: 'From backup' }] });
      },
    );
  });

  it('lets a stream pause between chunks for longer than the TTFT deadline, and cuts a stall at the idle one', async () => {
    // The first event carries text at once; every later one comes after a pause longer than
    // the TTFT deadline (and shorter than the idle one).
    const [, ...textEvents] = openaiChatEvents(['Slow', ' but', ' steady']);
    const pieces = [...textEvents.slice(0, 3), textEvents.slice(3).join('')];
    upstreams.openai.reply({
      status: 200,
      headers: sseHeaders,
      chunks: pieces,
      chunkDelayMs: ttftTimeoutMs + 200,
    });
    const healthy = await t.post('/api/v1/completions', ask(['openai/gpt-4o'], { stream: true }));
    const events = await readSseEvents(healthy);
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      provider: 'openai',
      message: { content: [{ text: 'Slow but steady' }] },
    });

    upstreams.openai.reply({
      status: 200,
      headers: sseHeaders,
      chunks: formats.openai.unfinished(['Then', ' silence']),
      end: 'hang',
    });
    const started = performance.now();
    const stalled = await t.post('/api/v1/completions', ask(['openai/gpt-4o'], { stream: true }));
    const cut = await readSseEvents(stalled);
    expect(performance.now() - started).toBeGreaterThanOrEqual(idleTimeoutMs - 10);
    expect(
      cut
        .filter((e) => e.type === 'text')
        .map((e) => e.text)
        .join(''),
    ).toBe('Then silence');
    expect(cut.at(-1)).toMatchObject({
      type: 'error',
      error: {
        code: 'upstream_failed',
        message: expect.stringContaining(`the stream stalled for ${idleTimeoutMs} ms`),
      },
    });
    await upstreams.openai.received[1]!.clientClosed;
  });

  it('does not retry a silent upstream on the same model: it moves on at the TTFT deadline', async () => {
    upstreams.openai.reply({ ...openaiChat.stream(['too late']), firstByteDelayMs: 10_000 });
    upstreams.backup.reply(openaiChat.stream(['In', ' time']));
    const started = performance.now();
    const response = await t.post(
      '/api/v1/completions',
      ask(['openai/gpt-4o'], { fallback_models: ['backup/steady'], maxRetries: 3 }),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.message.content[0].text).toBe('In time');
    expect(upstreams.openai.received).toHaveLength(1);
    expect(body.attempts).toMatchObject([
      {
        provider: 'openai',
        outcome: 'failed',
        errorKind: 'timeout',
        message: `no first token within ${ttftTimeoutMs} ms`,
      },
      { provider: 'backup', outcome: 'succeeded' },
    ]);
    expect(performance.now() - started).toBeLessThan(ttftTimeoutMs * 3);
  });

  describe.each(formatNames)('a refusal from %s', (name) => {
    const format = formats[name];

    it.each(format.refusals)(
      'answers $name with 400 content_filtered, trying no other model',
      async ({ reply, reason }) => {
        upstreams[name].reply(reply);
        upstreams.backup.reply(openaiChat.stream(['Routed around the policy']));
        const response = await t.post(
          '/api/v1/completions',
          ask([format.model], { fallback_models: ['backup/steady'], maxRetries: 2 }),
        );
        expect(response.status).toBe(400);
        const { error } = await response.json();
        expect(error.code).toBe('content_filtered');
        expect(error.message).toContain('content policy');
        expect(error.message).toContain(reason);
        expect(error.attempts).toMatchObject([
          { provider: name, outcome: 'failed', errorKind: 'content_filtered' },
        ]);
        expect(upstreams[name].received).toHaveLength(1);
        expect(upstreams.backup.received).toHaveLength(0);
      },
    );

    it.each(format.refusals)(
      'tries the next model after $name with routing.contentFilterFallback',
      async ({ reply }) => {
        upstreams[name].reply(reply);
        upstreams.backup.reply(openaiChat.stream(['From', ' backup']));
        const response = await lenient.post(
          '/api/v1/completions',
          ask([format.model], { fallback_models: ['backup/steady'] }),
        );
        expect(response.status).toBe(200);
        const body = await response.json();
        expect(body.message.content[0].text).toBe('From backup');
        expect(body.attempts).toMatchObject([
          { provider: name, errorKind: 'content_filtered' },
          { provider: 'backup', outcome: 'succeeded' },
        ]);
      },
    );

    it('answers 400 upstream_rejected quoting the reason when every candidate rejects the request', async () => {
      upstreams[name].reply(format.rejection.reply);
      upstreams.backup.reply(
        openaiChat.error(400, {
          message: "This model's maximum context length is 8192 tokens.",
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
        }),
      );
      const response = await t.post(
        '/api/v1/completions',
        ask([format.model], { fallback_models: ['backup/steady'], maxRetries: 2 }),
      );
      expect(response.status).toBe(400);
      const { error } = await response.json();
      expect(error.code).toBe('upstream_rejected');
      expect(error.message).toContain(format.rejection.reason);
      expect(error.attempts).toMatchObject([
        { provider: name, outcome: 'failed', errorKind: 'bad_request', status: 400 },
        { provider: 'backup', outcome: 'failed', errorKind: 'context_length_exceeded', status: 400 },
      ]);
      // Not retried: the same request would be refused again.
      expect(upstreams[name].received).toHaveLength(1);
    });
  });

  it('raises BadRequestError in the openai client for upstream_rejected and content_filtered', async () => {
    const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: adminKey, maxRetries: 0 });
    const create = (stream: boolean) =>
      client.chat.completions
        .create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream })
        .then(async (result) => {
          if (stream) for await (const _ of result as AsyncIterable<unknown>);
          return result;
        })
        .catch((caught: unknown) => caught);

    for (const stream of [false, true]) {
      upstreams.openai.reply(formats.openai.rejection.reply);
      const rejected = await create(stream);
      expect(rejected).toBeInstanceOf(BadRequestError);
      expect(rejected).toMatchObject({
        status: 400,
        type: 'invalid_request_error',
        code: 'upstream_rejected',
      });
      expect((rejected as BadRequestError).message).toContain(formats.openai.rejection.reason);
      expect((rejected as BadRequestError).error).toMatchObject({
        attempts: [{ provider: 'openai', status: 400 }],
      });

      upstreams.openai.reply(formats.openai.refusals[0]!.reply);
      const filtered = await create(stream);
      expect(filtered).toBeInstanceOf(BadRequestError);
      expect(filtered).toMatchObject({ status: 400, type: 'invalid_request_error', code: 'content_filter' });
    }
  });

  it('reports a refusal in GraphQL as CONTENT_FILTERED with the attempts', async () => {
    upstreams.google.reply(gemini.blocked('SAFETY'));
    const { body } = await postGraphQL(
      t.url,
      'mutation($input: CompletionInput!) { completion(input: $input) { model } }',
      {
        input: {
          messages: [{ role: 'USER', content: [{ type: 'TEXT', text: 'hi' }] }],
          models: ['google/gemini-2.5-flash'],
        },
      },
    );
    expect(body.data).toBeNull();
    expect(body.errors![0]).toMatchObject({
      message: expect.stringContaining('(SAFETY)'),
      extensions: {
        code: 'CONTENT_FILTERED',
        attempts: [{ provider: 'google', errorKind: 'content_filtered' }],
      },
    });
  });
});
