import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  collect,
  errorOf,
  finalPart,
  modelAt,
  testApiKey,
  textOfParts,
  userSays,
} from '../support/provider-harness.js';
import { anthropicEvents, anthropicMessages } from '../upstreams/anthropic-messages.js';
import { sseHeaders, startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

describe('Anthropic messages adapter', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  beforeEach(() => upstream.reset());
  afterAll(() => upstream.close());

  const model = () => modelAt('anthropic', `${upstream.url}/v1`, 'claude-sonnet-4-5');

  it('sends the documented request and yields text, usage with cache reads, and the stop reason', async () => {
    upstream.reply(
      anthropicMessages.stream(['Bon', 'jour'], {
        usage: { input_tokens: 100, cache_read_input_tokens: 20, output_tokens: 80 },
      }),
    );
    const parts = await collect(model(), {
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Answer in French.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Say hello' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
      temperature: 0.5,
      maxTokens: 300,
    });
    expect(textOfParts(parts)).toBe('Bonjour');
    expect(finalPart(parts)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: {
        promptTokens: 120,
        completionTokens: 80,
        reasoningTokens: 0,
        cachedTokens: 20,
        estimated: false,
      },
    });
    const [request] = upstream.received;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/messages' });
    expect(request!.headers['x-api-key']).toBe(testApiKey);
    expect(request!.headers['anthropic-version']).toBe('2023-06-01');
    expect(request!.body).toMatchObject({
      model: 'claude-sonnet-4-5',
      stream: true,
      max_tokens: 300,
      temperature: 0.5,
      system: [{ type: 'text', text: 'Answer in French.' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Say hello' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
      ],
    });
  });

  it('maps max_tokens to the length finish reason', async () => {
    upstream.reply(anthropicMessages.stream(['cut'], { stopReason: 'max_tokens' }));
    expect(finalPart(await collect(model(), { messages: userSays('hi') }))).toMatchObject({
      type: 'finish',
      finishReason: 'length',
    });
  });

  const errorCases: [string, ReturnType<typeof anthropicMessages.error>, Record<string, unknown>][] = [
    [
      '529 overloaded',
      anthropicMessages.error(529, 'overloaded_error', 'Overloaded'),
      { kind: 'overloaded', status: 529, retryable: true },
    ],
    [
      '429 with retry-after',
      anthropicMessages.error(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit', {
        'retry-after': '12',
      }),
      { kind: 'rate_limited', status: 429, retryAfterMs: 12_000, retryable: true },
    ],
    [
      '400 prompt too long',
      anthropicMessages.error(
        400,
        'invalid_request_error',
        'prompt is too long: 250000 tokens > 200000 maximum',
      ),
      { kind: 'context_length_exceeded', status: 400, retryable: false },
    ],
    [
      '400 invalid request',
      anthropicMessages.error(400, 'invalid_request_error', 'max_tokens: Field required'),
      { kind: 'bad_request', retryable: false },
    ],
    [
      '401',
      anthropicMessages.error(401, 'authentication_error', 'invalid x-api-key'),
      { kind: 'auth', status: 401, retryable: false },
    ],
    [
      '403',
      anthropicMessages.error(403, 'permission_error', 'Your API key does not have permission'),
      { kind: 'auth', status: 403 },
    ],
    [
      '404',
      anthropicMessages.error(404, 'not_found_error', 'model: claude-9'),
      { kind: 'not_found', status: 404 },
    ],
    [
      '500',
      anthropicMessages.error(500, 'api_error', 'Internal server error'),
      { kind: 'server_error', status: 500, retryable: true },
    ],
  ];
  it.each(errorCases)('classifies %s', async (_name, reply, expected) => {
    upstream.reply(reply);
    expect(errorOf(await collect(model(), { messages: userSays('hi') }))).toMatchObject(expected);
  });

  it('turns an error event after some text into a typed error', async () => {
    upstream.reply(anthropicMessages.streamError(['some text'], 'overloaded_error', 'Overloaded'));
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(textOfParts(parts)).toBe('some text');
    expect(errorOf(parts)).toMatchObject({ kind: 'overloaded', retryable: true });
  });

  it('turns an error event before any text into a typed error', async () => {
    upstream.reply({
      status: 200,
      headers: sseHeaders,
      chunks: [
        'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
      ],
    });
    expect(errorOf(await collect(model(), { messages: userSays('hi') }))).toMatchObject({
      kind: 'overloaded',
    });
  });

  it('turns a stream without message_stop into an incomplete error', async () => {
    upstream.reply(anthropicMessages.stream(['almost'], { messageStop: false, stopReason: null }));
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(textOfParts(parts)).toBe('almost');
    expect(errorOf(parts)).toMatchObject({ kind: 'incomplete' });
  });

  it('turns a socket dropped mid-stream into an incomplete error', async () => {
    const events = anthropicEvents(['one ', 'two'], {});
    upstream.reply({ status: 200, headers: sseHeaders, chunks: events.slice(0, 4), end: 'destroy' });
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(textOfParts(parts)).toBe('one ');
    expect(errorOf(parts)).toMatchObject({ kind: 'incomplete' });
  });

  it('turns a malformed event into an incomplete error', async () => {
    const events = anthropicEvents(['ok'], {});
    upstream.reply({
      status: 200,
      headers: sseHeaders,
      chunks: [
        ...events.slice(0, 3),
        'event: content_block_delta\ndata: {"type": "content_block_delta", \n\n',
      ],
    });
    expect(errorOf(await collect(model(), { messages: userSays('hi') }))).toMatchObject({
      kind: 'incomplete',
    });
  });
});
