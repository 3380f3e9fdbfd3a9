import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/core/upstream-error.js';
import {
  collect,
  errorOf,
  finalPart,
  modelAt,
  testApiKey,
  textOfParts,
  userSays,
} from '../support/provider-harness.js';
import { openaiChat, openaiChatEvents } from '../upstreams/openai-chat.js';
import { sseEvent, sseHeaders, startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

describe('OpenAI chat completions adapter', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  beforeEach(() => upstream.reset());
  afterAll(() => upstream.close());

  const model = () => modelAt('openai', `${upstream.url}/v1`, 'gpt-4o');

  it('sends the documented request and yields text, usage and the finish reason', async () => {
    upstream.reply(
      openaiChat.stream(['Hel', 'lo', '!'], {
        usage: { prompt_tokens: 120, completion_tokens: 80, cached_tokens: 20, reasoning_tokens: 30 },
      }),
    );
    const parts = await collect(model(), {
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'A picture.' }] },
        { role: 'user', content: [{ type: 'text', text: 'More.' }] },
      ],
      temperature: 0.3,
      maxTokens: 200,
    });
    expect(textOfParts(parts)).toBe('Hello!');
    expect(finalPart(parts)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: {
        promptTokens: 120,
        completionTokens: 80,
        reasoningTokens: 30,
        cachedTokens: 20,
        estimated: false,
      },
    });

    const [request] = upstream.received;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(request!.headers.authorization).toBe(`Bearer ${testApiKey}`);
    expect(request!.body).toMatchObject({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.3,
      max_tokens: 200,
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
        { role: 'assistant', content: 'A picture.' },
        { role: 'user', content: 'More.' },
      ],
    });
  });

  it('finishes without usage when the upstream sent none, so that the service estimates it', async () => {
    upstream.reply(openaiChat.stream(['Hi'], { usage: null }));
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(finalPart(parts)).toEqual({ type: 'finish', finishReason: 'stop', usage: undefined });
  });

  it('maps the length finish reason', async () => {
    upstream.reply(openaiChat.stream(['Hi'], { finishReason: 'length' }));
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(finalPart(parts)).toMatchObject({ type: 'finish', finishReason: 'length' });
  });

  const errorCases: [string, ReturnType<typeof openaiChat.error>, Record<string, unknown>][] = [
    [
      '429 with retry-after seconds',
      openaiChat.error(
        429,
        { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
        {
          'retry-after': '7',
        },
      ),
      { kind: 'rate_limited', status: 429, retryable: true, retryAfterMs: 7000 },
    ],
    [
      '429 with retry-after-ms',
      openaiChat.error(
        429,
        { message: 'Rate limit reached', type: 'tokens' },
        {
          'retry-after-ms': '1500',
          'retry-after': '2',
        },
      ),
      { kind: 'rate_limited', retryable: true, retryAfterMs: 1500 },
    ],
    [
      '429 quota exhausted',
      openaiChat.error(429, {
        message: 'You exceeded your current quota',
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      }),
      { kind: 'rate_limited', retryable: false },
    ],
    [
      '400 context length',
      openaiChat.error(400, {
        message: "This model's maximum context length is 128000 tokens.",
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
      }),
      { kind: 'context_length_exceeded', status: 400, retryable: false },
    ],
    [
      '400 content policy',
      openaiChat.error(400, {
        message: 'Your request was rejected as a result of our safety system.',
        type: 'invalid_request_error',
        code: 'content_policy_violation',
      }),
      { kind: 'content_filtered', retryable: false },
    ],
    [
      '400 bad request',
      openaiChat.error(400, { message: "Invalid value for 'temperature'", type: 'invalid_request_error' }),
      { kind: 'bad_request', status: 400, retryable: false },
    ],
    [
      '401',
      openaiChat.error(401, {
        message: `Incorrect API key provided: ${testApiKey}.`,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      }),
      { kind: 'auth', status: 401, retryable: false },
    ],
    [
      '404 model',
      openaiChat.error(404, {
        message: 'The model `gpt-9` does not exist',
        type: 'invalid_request_error',
        code: 'model_not_found',
      }),
      { kind: 'not_found', status: 404, retryable: false },
    ],
    [
      '500',
      openaiChat.error(500, { message: 'The server had an error', type: 'server_error' }),
      { kind: 'server_error', status: 500, retryable: true },
    ],
    [
      '503',
      openaiChat.error(503, { message: 'The engine is currently overloaded', type: 'server_error' }),
      { kind: 'overloaded', status: 503, retryable: true },
    ],
    [
      '504 with an HTML body',
      { status: 504, headers: { 'content-type': 'text/html' }, chunks: ['<html>Gateway Timeout</html>'] },
      { kind: 'timeout', status: 504, retryable: true },
    ],
  ];
  it.each(errorCases)('classifies %s', async (_name, reply, expected) => {
    upstream.reply(reply);
    const error = errorOf(await collect(model(), { messages: userSays('hi') }));
    expect(error).toMatchObject(expected);
    expect(error.message).not.toContain(testApiKey);
  });

  it('reads retry-after given as an HTTP date', async () => {
    const inOneMinute = new Date(Date.now() + 60_000).toUTCString();
    upstream.reply(
      openaiChat.error(429, { message: 'slow down', type: 'requests' }, { 'retry-after': inOneMinute }),
    );
    const error = errorOf(await collect(model(), { messages: userSays('hi') }));
    expect(error.retryAfterMs).toBeGreaterThan(50_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('turns a socket dropped mid-stream into an incomplete error after the text', async () => {
    const events = openaiChatEvents(['one ', 'two ', 'three'], {});
    upstream.reply({ status: 200, headers: sseHeaders, chunks: events.slice(0, 3), end: 'destroy' });
    const parts = await collect(model(), { messages: userSays('count') });
    expect(textOfParts(parts)).toBe('one two ');
    expect(errorOf(parts)).toMatchObject({ kind: 'incomplete', retryable: true });
  });

  it('turns a stream that ends without finish reason or terminator into an incomplete error', async () => {
    upstream.reply(openaiChat.stream(['half an answer'], { finishReason: null, usage: null, done: false }));
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(textOfParts(parts)).toBe('half an answer');
    expect(errorOf(parts)).toMatchObject({ kind: 'incomplete' });
  });

  it('counts an answer as complete once its finish reason arrived, even without [DONE]', async () => {
    upstream.reply(openaiChat.stream(['whole'], { done: false }));
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(finalPart(parts)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('turns an error chunk before any text into a typed error', async () => {
    upstream.reply({
      status: 200,
      headers: sseHeaders,
      chunks: [
        sseEvent({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }),
      ],
    });
    expect(errorOf(await collect(model(), { messages: userSays('hi') }))).toMatchObject({
      kind: 'rate_limited',
      retryable: true,
    });
  });

  it('turns a malformed chunk into an incomplete error', async () => {
    const events = openaiChatEvents(['fine'], {});
    upstream.reply({
      status: 200,
      headers: sseHeaders,
      chunks: [events[0]!, events[1]!, 'data: {"choices": [ not json\n\n', ...events.slice(2)],
    });
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(errorOf(parts)).toMatchObject({
      kind: 'incomplete',
      message: expect.stringContaining('malformed'),
    });
  });

  it('turns an empty body and a non-event-stream body into incomplete errors', async () => {
    upstream.reply(
      { status: 200, headers: sseHeaders, chunks: [] },
      { status: 200, headers: { 'content-type': 'application/json' }, chunks: ['{"unexpected": true}'] },
    );
    for (let i = 0; i < 2; i++) {
      const parts = await collect(model(), { messages: userSays('hi') });
      expect(errorOf(parts)).toMatchObject({ kind: 'incomplete' });
    }
  });

  it('turns an error chunk inside the stream into a typed error', async () => {
    upstream.reply(
      openaiChat.streamError(['partial'], { message: 'The server had an error', type: 'server_error' }),
    );
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(errorOf(parts)).toMatchObject({ kind: 'server_error', retryable: true });
  });

  it('hands on the fragments of one network read as one part, and never holds one back for the next', async () => {
    const events = openaiChatEvents(['Hel', 'lo', ' there'], {});
    // The role chunk and the first two fragments in one write; the last one 100 ms later.
    upstream.reply({
      status: 200,
      headers: sseHeaders,
      chunks: [events.slice(0, 3).join(''), ...events.slice(3)],
      chunkDelayMs: 100,
    });
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ' there' },
    ]);
    expect(finalPart(parts).type).toBe('finish');
  });

  it('waits for a slow first byte', async () => {
    upstream.reply({ ...openaiChat.stream(['late']), firstByteDelayMs: 300 });
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(textOfParts(parts)).toBe('late');
    expect(finalPart(parts).type).toBe('finish');
  });

  it('ends a stalled stream with the typed reason it was aborted with, and closes the upstream request', async () => {
    const events = openaiChatEvents(['stuck'], {});
    upstream.reply({ status: 200, headers: sseHeaders, chunks: events.slice(0, 2), end: 'hang' });
    const controller = new AbortController();
    const stalled = new UpstreamError({ kind: 'timeout', message: 'the stream stalled for 200 ms' });
    setTimeout(() => controller.abort(stalled), 200);
    const parts = await collect(model(), { messages: userSays('hi'), signal: controller.signal });
    expect(textOfParts(parts)).toBe('stuck');
    expect(errorOf(parts)).toBe(stalled);
    await upstream.received[0]!.clientClosed;
  });

  it('cancels the upstream request when the caller aborts', async () => {
    const events = openaiChatEvents(['first'], {});
    upstream.reply({ status: 200, headers: sseHeaders, chunks: events.slice(0, 2), end: 'hang' });
    const controller = new AbortController();
    const parts = [];
    for await (const part of model().stream({ messages: userSays('hi'), signal: controller.signal })) {
      parts.push(part);
      if (part.type === 'text-delta') controller.abort();
    }
    expect(errorOf(parts)).toMatchObject({ kind: 'timeout' });
    await upstream.received[0]!.clientClosed;
    expect(upstream.received[0]!.closedEarly).toBe(true);
  });

  it('reports a refused connection as a network error', async () => {
    const closed = await startUpstream();
    await closed.close();
    const parts = await collect(modelAt('openai', `${closed.url}/v1`, 'gpt-4o'), {
      messages: userSays('hi'),
    });
    expect(errorOf(parts)).toMatchObject({ kind: 'network', retryable: true });
  });
});
