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
import { gemini, geminiEvents } from '../upstreams/gemini.js';
import { sseEvent, sseHeaders, startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

describe('Gemini streamGenerateContent adapter', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  beforeEach(() => upstream.reset());
  afterAll(() => upstream.close());

  const model = () => modelAt('google', `${upstream.url}/v1beta`, 'gemini-2.5-flash');

  it('sends the documented request and yields text, usage with thoughts and cache, and the finish reason', async () => {
    upstream.reply(
      gemini.stream(['Hola', ' mundo'], {
        usage: {
          promptTokenCount: 120,
          candidatesTokenCount: 50,
          thoughtsTokenCount: 30,
          cachedContentTokenCount: 10,
        },
      }),
    );
    const parts = await collect(model(), {
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Answer in Spanish.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Say hello' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'Hola' }] },
        { role: 'user', content: [{ type: 'text', text: 'Again' }] },
      ],
      temperature: 0.2,
      maxTokens: 100,
    });
    expect(textOfParts(parts)).toBe('Hola mundo');
    expect(finalPart(parts)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: {
        promptTokens: 120,
        completionTokens: 80,
        reasoningTokens: 30,
        cachedTokens: 10,
        estimated: false,
      },
    });
    const [request] = upstream.received;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    });
    expect(request!.headers['x-goog-api-key']).toBe(testApiKey);
    expect(request!.body).toMatchObject({
      systemInstruction: { parts: [{ text: 'Answer in Spanish.' }] },
      contents: [
        {
          role: 'user',
          parts: [{ text: 'Say hello' }, { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } }],
        },
        { role: 'model', parts: [{ text: 'Hola' }] },
        { role: 'user', parts: [{ text: 'Again' }] },
      ],
      generationConfig: { temperature: 0.2, maxOutputTokens: 100 },
    });
  });

  it('maps MAX_TOKENS to the length finish reason', async () => {
    upstream.reply(gemini.stream(['cut'], { finishReason: 'MAX_TOKENS' }));
    expect(finalPart(await collect(model(), { messages: userSays('hi') }))).toMatchObject({
      type: 'finish',
      finishReason: 'length',
    });
  });

  const errorCases: [string, ReturnType<typeof gemini.error>, Record<string, unknown>][] = [
    [
      '429 RESOURCE_EXHAUSTED with retry-after',
      gemini.error(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', {
        'retry-after': '3',
      }),
      { kind: 'rate_limited', status: 429, retryAfterMs: 3000, retryable: true },
    ],
    [
      '400 token count too large',
      gemini.error(
        400,
        'INVALID_ARGUMENT',
        'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
      ),
      { kind: 'context_length_exceeded', retryable: false },
    ],
    [
      '400 INVALID_ARGUMENT',
      gemini.error(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.'),
      { kind: 'bad_request', status: 400 },
    ],
    [
      '403 PERMISSION_DENIED',
      gemini.error(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers."),
      { kind: 'auth', status: 403, retryable: false },
    ],
    [
      '404 NOT_FOUND',
      gemini.error(404, 'NOT_FOUND', 'models/gemini-9 is not found for API version v1beta'),
      { kind: 'not_found' },
    ],
    [
      '500 INTERNAL',
      gemini.error(500, 'INTERNAL', 'An internal error has occurred.'),
      { kind: 'server_error', retryable: true },
    ],
    [
      '503 UNAVAILABLE',
      gemini.error(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'),
      { kind: 'overloaded', status: 503, retryable: true },
    ],
    [
      '504 DEADLINE_EXCEEDED',
      gemini.error(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'),
      { kind: 'timeout', retryable: true },
    ],
  ];
  it.each(errorCases)('classifies %s', async (_name, reply, expected) => {
    upstream.reply(reply);
    expect(errorOf(await collect(model(), { messages: userSays('hi') }))).toMatchObject(expected);
  });

  it('turns a blocked prompt into a content_filtered error', async () => {
    upstream.reply(gemini.blocked('SAFETY'));
    expect(errorOf(await collect(model(), { messages: userSays('hi') }))).toMatchObject({
      kind: 'content_filtered',
      retryable: false,
    });
  });

  it('turns an error object inside the stream into a typed error', async () => {
    upstream.reply({
      status: 200,
      headers: sseHeaders,
      chunks: [
        ...geminiEvents(['partial'], { finishReason: null }),
        sseEvent({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }),
      ],
    });
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(textOfParts(parts)).toBe('partial');
    expect(errorOf(parts)).toMatchObject({ kind: 'overloaded' });
  });

  it('turns a stream without finish reason into an incomplete error', async () => {
    upstream.reply(gemini.stream(['no end', ' in sight'], { finishReason: null }));
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(textOfParts(parts)).toBe('no end in sight');
    expect(errorOf(parts)).toMatchObject({ kind: 'incomplete' });
  });

  it('turns a socket dropped mid-stream into an incomplete error', async () => {
    upstream.reply({
      status: 200,
      headers: sseHeaders,
      chunks: geminiEvents(['a', 'b', 'c']).slice(0, 2),
      end: 'destroy',
    });
    const parts = await collect(model(), { messages: userSays('hi') });
    expect(textOfParts(parts)).toBe('ab');
    expect(errorOf(parts)).toMatchObject({ kind: 'incomplete' });
  });

  it('turns a malformed chunk into an incomplete error', async () => {
    upstream.reply({ status: 200, headers: sseHeaders, chunks: ['data: {"candidates": [{"content": \n\n'] });
    expect(errorOf(await collect(model(), { messages: userSays('hi') }))).toMatchObject({
      kind: 'incomplete',
    });
  });
});
