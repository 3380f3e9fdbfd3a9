import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fitParameters } from '../../src/core/generation-options.js';
import type { ChatMessage } from '../../src/core/messages.js';
import { UpstreamError } from '../../src/core/upstream-error.js';
import { openaiChatBody } from '../../src/providers/openai-chat/openai-chat-body.js';
import { dialectOf, mistralToolCallId } from '../../src/providers/openai-chat/openai-dialect.js';
import { openaiModelProfile } from '../../src/providers/openai-chat/openai-model-profile.js';
import {
  mistralSupport,
  openaiChatSupport,
  openaiCompatibleSupport,
  openaiReasoningSupport,
} from '../../src/providers/openai-chat/openai-parameter-support.js';
import {
  effortOfBudget,
  reasoningEffortOf,
} from '../../src/providers/openai-chat/openai-reasoning-effort.js';
import type { ModelCall, ProviderStreamPart } from '../../src/providers/provider.js';
import {
  collect,
  errorOf,
  finalPart,
  modelAt,
  testApiKey,
  textOfParts,
  userSays,
} from '../support/provider-harness.js';
import { openaiChat, openaiChatEvents, openaiToolCallEvents } from '../upstreams/openai-chat.js';
import { sseEvent, sseHeaders, startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

/** The last part, which must be the only `finish` or `error` one (any fragments before it). */
function endOf(parts: ProviderStreamPart[]): ProviderStreamPart {
  const ends = parts.filter((part) => part.type === 'finish' || part.type === 'error');
  if (ends.length !== 1 || ends[0] !== parts.at(-1))
    throw new Error(`expected exactly one final part at the end, got ${JSON.stringify(parts)}`);
  return ends[0]!;
}

/** The whole calls of an answer, by our index; checks that each call's first fragment carries id and name. */
function callsOf(parts: ProviderStreamPart[]) {
  const calls: { id: string; name: string; arguments: string }[] = [];
  for (const part of parts) {
    if (part.type !== 'tool-call-delta') continue;
    const call = calls[part.index];
    if (call === undefined) {
      expect(part.index).toBe(calls.length);
      expect(part.id).toEqual(expect.any(String));
      expect(part.name).toEqual(expect.any(String));
      calls[part.index] = { id: part.id!, name: part.name!, arguments: part.arguments };
    } else {
      expect(part.id).toBeUndefined();
      call.arguments += part.arguments;
    }
  }
  return calls;
}

const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};

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

describe('OpenAI chat completions adapter: tools, structured output and sampling', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  beforeEach(() => upstream.reset());
  afterAll(() => upstream.close());

  const model = (id = 'gpt-4o') => modelAt('openai', `${upstream.url}/v1`, id);
  /** The body the upstream received for one call (answered with a short text). */
  async function bodyFor(call: Partial<ModelCall>, id = 'gpt-4o'): Promise<Record<string, unknown>> {
    upstream.reply(openaiChat.stream(['ok']));
    const parts = await collect(model(id), { messages: userSays('hi'), ...call });
    expect(endOf(parts).type).toBe('finish');
    return upstream.received.at(-1)!.body as Record<string, unknown>;
  }

  it('sends tools, tool choice, parallel_tool_calls and a JSON schema response format', async () => {
    const body = await bodyFor({
      tools: [weatherTool, { name: 'get_time', parameters: { type: 'object', properties: {} } }],
      toolChoice: 'required',
      parallelToolCalls: false,
      responseFormat: {
        type: 'json_schema',
        name: 'forecast',
        description: 'A forecast',
        schema: { type: 'object', properties: { summary: { type: 'string' } } },
        strict: true,
      },
    });
    expect(body).toMatchObject({
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'The weather in a city',
            parameters: weatherTool.parameters,
            strict: true,
          },
        },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'forecast',
          description: 'A forecast',
          schema: { type: 'object', properties: { summary: { type: 'string' } } },
          strict: true,
        },
      },
    });
    // Fields not set are not sent at all.
    expect((body.tools as { function: object }[])[1]!.function).toEqual({
      name: 'get_time',
      parameters: { type: 'object', properties: {} },
    });
  });

  it.each([
    ['auto', 'auto'],
    ['none', 'none'],
    ['required', 'required'],
    [{ name: 'get_weather' }, { type: 'function', function: { name: 'get_weather' } }],
  ] as const)('maps tool choice %j', async (toolChoice, sent) => {
    const body = await bodyFor({ tools: [weatherTool], toolChoice });
    expect(body.tool_choice).toEqual(sent);
  });

  it('sends no tool choice or parallel_tool_calls without tools, and no response format for text', async () => {
    const body = await bodyFor({
      toolChoice: 'none',
      parallelToolCalls: true,
      responseFormat: { type: 'text' },
    });
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('tool_choice');
    expect(body).not.toHaveProperty('parallel_tool_calls');
    expect(body).not.toHaveProperty('response_format');
    expect(await bodyFor({ responseFormat: { type: 'json_object' } })).toMatchObject({
      response_format: { type: 'json_object' },
    });
  });

  it("sends assistant turns that called tools and the tools' answers, and no reasoning back", async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo and Bergen?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Two cities: two calls.' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
          { type: 'tool_call', id: 'toolu_2', name: 'get_weather', arguments: '{"city":"Bergen"}' },
        ],
      },
      { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: '4°C' }] },
      { role: 'tool', toolCallId: 'toolu_2', content: [{ type: 'text', text: '7°C' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool_call', id: 'call_3', name: 'get_weather', arguments: '{"city":"Rome"}' }],
      },
      { role: 'tool', toolCallId: 'call_3', content: [{ type: 'text', text: '19°C' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Summing up.' },
          { type: 'text', text: 'Oslo 4°C, Bergen 7°C.' },
        ],
      },
    ];
    const body = await bodyFor({ messages, tools: [weatherTool] });
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather in Oslo and Bergen?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          {
            id: 'toolu_2',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Bergen"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '4°C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: '7°C' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_3', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_3', content: '19°C' },
      { role: 'assistant', content: 'Oslo 4°C, Bergen 7°C.' },
    ]);
    expect(JSON.stringify(body)).not.toContain('reasoning');
  });

  it('sends the sampling parameters a chat model takes, under their wire names', async () => {
    const body = await bodyFor({
      temperature: 1.2,
      topP: 0.9,
      stop: ['END', '###'],
      seed: 42,
      frequencyPenalty: 0.5,
      presencePenalty: -0.5,
      maxTokens: 300,
    });
    expect(body).toMatchObject({
      temperature: 1.2,
      top_p: 0.9,
      stop: ['END', '###'],
      seed: 42,
      frequency_penalty: 0.5,
      presence_penalty: -0.5,
      max_tokens: 300,
    });
    expect(body).not.toHaveProperty('max_completion_tokens');
    expect(body).not.toHaveProperty('reasoning_effort');
  });

  it('never sends top_k to OpenAI, even when a caller skipped the parameter table', async () => {
    expect(await bodyFor({ topK: 40 })).not.toHaveProperty('top_k');
  });

  it('gives a reasoning model max_completion_tokens, reasoning_effort and developer instructions, and no sampling it refuses', async () => {
    const body = await bodyFor(
      {
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
          { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        ],
        maxTokens: 4000,
        reasoning: { effort: 'high' },
        temperature: 0.5,
        topP: 0.5,
        stop: ['END'],
        frequencyPenalty: 1,
        presencePenalty: 1,
        seed: 7,
      },
      'o3-mini',
    );
    expect(body).toMatchObject({
      model: 'o3-mini',
      max_completion_tokens: 4000,
      reasoning_effort: 'high',
      seed: 7,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    });
    for (const refused of [
      'max_tokens',
      'temperature',
      'top_p',
      'stop',
      'frequency_penalty',
      'presence_penalty',
    ])
      expect(body).not.toHaveProperty(refused);
  });

  it('maps a reasoning budget to an effort, and minimal to low for models that refuse it', async () => {
    expect((await bodyFor({ reasoning: { maxTokens: 1024 } }, 'gpt-5')).reasoning_effort).toBe('low');
    expect((await bodyFor({ reasoning: { maxTokens: 4096 } }, 'gpt-5')).reasoning_effort).toBe('medium');
    expect((await bodyFor({ reasoning: { maxTokens: 32_000 } }, 'gpt-5')).reasoning_effort).toBe('high');
    expect((await bodyFor({ reasoning: { effort: 'minimal' } }, 'gpt-5-mini')).reasoning_effort).toBe(
      'minimal',
    );
    expect((await bodyFor({ reasoning: { effort: 'minimal' } }, 'o4-mini')).reasoning_effort).toBe('low');
    expect((await bodyFor({ reasoning: { effort: 'minimal' } }, 'gpt-5.1')).reasoning_effort).toBe('low');
  });

  it('streams a tool-only answer whose arguments arrive in many pieces, finishing with tool_calls', async () => {
    upstream.reply(
      openaiChat.toolCallStream(
        [{ id: 'call_abc', name: 'get_weather', arguments: ['{"ci', 'ty"', ':"O', 'slo', '"}'] }],
        { usage: { prompt_tokens: 50, completion_tokens: 12 } },
      ),
    );
    const parts = await collect(model(), { messages: userSays('Weather in Oslo?'), tools: [weatherTool] });
    expect(callsOf(parts)).toEqual([{ id: 'call_abc', name: 'get_weather', arguments: '{"city":"Oslo"}' }]);
    expect(textOfParts(parts)).toBe('');
    expect(endOf(parts)).toMatchObject({
      type: 'finish',
      finishReason: 'tool_calls',
      usage: { promptTokens: 50, completionTokens: 12 },
    });
  });

  it('numbers two parallel calls by first appearance, with their pieces interleaved', async () => {
    upstream.reply(
      openaiChat.toolCallStream(
        [
          { id: 'call_oslo', name: 'get_weather', arguments: ['{"city"', ':"Oslo"', '}'] },
          { id: 'call_time', name: 'get_time', arguments: ['{"zone":', '"Europe/Oslo"}'] },
        ],
        { order: 'interleaved' },
      ),
    );
    const parts = await collect(model(), { messages: userSays('Weather and time?'), tools: [weatherTool] });
    expect(callsOf(parts)).toEqual([
      { id: 'call_oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { id: 'call_time', name: 'get_time', arguments: '{"zone":"Europe/Oslo"}' },
    ]);
    expect(endOf(parts)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('streams text before the calls, and hands on the pieces of one read as one fragment per call', async () => {
    const events = openaiToolCallEvents(
      [{ id: 'call_1', name: 'get_weather', arguments: ['{"city":', '"Oslo"', '}'] }],
      { text: ['Let me ', 'check.'] },
    );
    upstream.reply({ status: 200, headers: sseHeaders, chunks: [events.join('')] });
    const parts = await collect(model(), { messages: userSays('Weather?'), tools: [weatherTool] });
    expect(parts).toEqual([
      { type: 'text-delta', text: 'Let me check.' },
      { type: 'tool-call-delta', index: 0, id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      expect.objectContaining({ type: 'finish', finishReason: 'tool_calls' }),
    ]);
  });

  it('maps the legacy function_call finish reason to tool_calls', async () => {
    upstream.reply(
      openaiChat.toolCallStream([{ id: 'call_1', name: 'get_weather', arguments: '{}' }], {
        finishReason: 'function_call',
      }),
    );
    const parts = await collect(model(), { messages: userSays('hi'), tools: [weatherTool] });
    expect(endOf(parts)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('counts tool calls as an answer under content_filter, and fails a refusal with nothing else', async () => {
    upstream.reply(
      openaiChat.toolCallStream([{ id: 'call_1', name: 'get_weather', arguments: '{}' }], {
        finishReason: 'content_filter',
      }),
      openaiChat.stream([], { finishReason: 'content_filter' }),
      {
        status: 200,
        headers: sseHeaders,
        chunks: [
          sseEvent({
            choices: [{ index: 0, delta: { role: 'assistant', content: null, refusal: "I can't help" } }],
          }),
          sseEvent({ choices: [{ index: 0, delta: { refusal: ' with that.' }, finish_reason: 'stop' }] }),
          sseEvent('[DONE]'),
        ],
      },
    );
    const withCalls = await collect(model(), { messages: userSays('hi'), tools: [weatherTool] });
    expect(endOf(withCalls)).toMatchObject({ type: 'finish', finishReason: 'content_filter' });
    const filtered = await collect(model(), { messages: userSays('hi') });
    expect(errorOf(filtered)).toMatchObject({ kind: 'content_filtered' });
    const refused = await collect(model(), {
      messages: userSays('hi'),
      responseFormat: { type: 'json_object' },
    });
    expect(errorOf(refused)).toMatchObject({
      kind: 'content_filtered',
      message: expect.stringContaining("I can't help with that."),
    });
  });

  it('exposes the parameter table of each model', () => {
    expect(model('gpt-4o').parameterSupport).toBe(openaiChatSupport);
    expect(model('o3').parameterSupport).toBe(openaiReasoningSupport);
    expect(model('gpt-5-mini').parameterSupport).toBe(openaiReasoningSupport);
    expect(model('gpt-5-chat-latest').parameterSupport).toBe(openaiChatSupport);
    expect(modelAt('openai-compatible', `${upstream.url}/v1`, 'o3').parameterSupport).toBe(
      openaiCompatibleSupport,
    );
  });
});

describe('OpenAI parameter tables', () => {
  const every = {
    temperature: 2.5,
    topP: 0.9,
    topK: 40,
    stop: ['a', 'b', 'c', 'd', 'e'],
    seed: 1,
    frequencyPenalty: 0.1,
    presencePenalty: 0.2,
  };
  const droppedBy = (support: typeof openaiChatSupport) =>
    fitParameters(every, support, 'p').dropped.map((dropped) => dropped.parameter);

  it('OpenAI chat models take everything but top_k, clamp temperature to 2 and take 4 stop sequences', () => {
    const { options, dropped } = fitParameters(every, openaiChatSupport, 'openai');
    expect(options).toMatchObject({ temperature: 2, topK: undefined, stop: ['a', 'b', 'c', 'd'], seed: 1 });
    expect(dropped.map((entry) => entry.parameter)).toEqual(['topK', 'temperature', 'stop']);
  });

  it('OpenAI reasoning models take only the seed', () => {
    expect(droppedBy(openaiReasoningSupport)).toEqual([
      'temperature',
      'topP',
      'topK',
      'stop',
      'frequencyPenalty',
      'presencePenalty',
    ]);
  });

  it('compatible servers take every hint, top_k included; Mistral all but top_k', () => {
    expect(droppedBy(openaiCompatibleSupport)).toEqual(['temperature', 'stop']);
    expect(droppedBy(mistralSupport)).toEqual(['topK', 'temperature', 'stop']);
  });

  it('maps budgets to efforts at 2,048 and 8,192 tokens', () => {
    expect([1, 2047, 2048, 8191, 8192, 100_000].map(effortOfBudget)).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
    ]);
    expect(reasoningEffortOf({ effort: 'minimal' }, true)).toBe('minimal');
    expect(reasoningEffortOf({ effort: 'minimal' }, false)).toBe('low');
    expect(reasoningEffortOf({ effort: 'medium' }, false)).toBe('medium');
  });
});

describe('Mistral dialect', () => {
  const profile = openaiModelProfile(
    dialectOf('openai-compatible', new URL('https://api.mistral.ai/v1/chat/completions')),
    'mistral-large-latest',
  );
  const body = (call: Partial<ModelCall>) =>
    JSON.parse(
      openaiChatBody(profile, { messages: userSays('hi'), signal: new AbortController().signal, ...call }),
    ) as Record<string, unknown>;

  it('is found by host only', () => {
    expect(profile.dialect.name).toBe('mistral');
    expect(dialectOf('openai-compatible', new URL('http://127.0.0.1:9/v1/chat/completions')).name).toBe(
      'compatible',
    );
    expect(dialectOf('openai', new URL('https://api.openai.com/v1/chat/completions')).name).toBe('openai');
  });

  it('sends no stream_options and the seed as random_seed', () => {
    const sent = body({ seed: 3, topK: 5 });
    expect(sent).toMatchObject({ stream: true, random_seed: 3 });
    expect(sent).not.toHaveProperty('stream_options');
    expect(sent).not.toHaveProperty('seed');
    expect(sent).not.toHaveProperty('top_k');
  });

  it('gives tool calls from other providers 9-character ids, the same in the call and the answer', () => {
    const sent = body({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'assistant',
          content: [{ type: 'tool_call', id: 'toolu_01A09q90qw90lq917835lq9', name: 'w', arguments: '{}' }],
        },
        {
          role: 'tool',
          toolCallId: 'toolu_01A09q90qw90lq917835lq9',
          content: [{ type: 'text', text: 'ok' }],
        },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'abcDEF123', name: 'w', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'abcDEF123', content: [{ type: 'text', text: 'ok' }] },
      ],
    });
    const messages = sent.messages as { tool_calls?: { id: string }[]; tool_call_id?: string }[];
    const mapped = messages[1]!.tool_calls![0]!.id;
    expect(mapped).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(messages[2]!.tool_call_id).toBe(mapped);
    expect(messages[3]!.tool_calls![0]!.id).toBe('abcDEF123');
    expect(mistralToolCallId('call_1')).not.toBe(mistralToolCallId('call_2'));
  });
});
