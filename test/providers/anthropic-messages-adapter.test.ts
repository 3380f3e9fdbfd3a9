import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnswerBuilder } from '../../src/completions/answer-builder.js';
import type { GenerationOptions, ToolDefinition } from '../../src/core/generation-options.js';
import type { ChatMessage, ContentPart } from '../../src/core/messages.js';
import type { LanguageModel, ProviderStreamPart } from '../../src/providers/provider.js';
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

/** The answer's content as the service stores it, built by its own builder. */
function answerOf(parts: ProviderStreamPart[]): ContentPart[] {
  const answer = new AnswerBuilder();
  for (const part of parts) {
    if (part.type === 'text-delta') answer.addText(part.text);
    else if (part.type === 'reasoning-delta') answer.addReasoning(part.text, part.echo);
    else if (part.type === 'tool-call-delta')
      answer.addToolCall({ ...part, id: part.id, name: part.name, echo: part.echo });
  }
  return answer.content();
}

const endOf = (parts: ProviderStreamPart[]) => parts.at(-1);

describe('Anthropic messages adapter: tools, structured output, sampling and thinking', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  beforeEach(() => upstream.reset());
  afterAll(() => upstream.close());

  const model = (id = 'claude-sonnet-4-5') => modelAt('anthropic', `${upstream.url}/v1`, id);
  const weather: ToolDefinition = {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  };
  const time: ToolDefinition = { name: 'get_time', parameters: { type: 'object', properties: {} } };
  const bodyOf = (index = 0) => upstream.received[index]!.body as Record<string, unknown>;

  it('sends the tools as Anthropic tools, with each tool choice and parallel calls turned off', async () => {
    const cases: [GenerationOptions, unknown][] = [
      [{ toolChoice: 'auto' }, { type: 'auto' }],
      [{ toolChoice: 'none' }, { type: 'none' }],
      [{ toolChoice: 'required' }, { type: 'any' }],
      [{ toolChoice: { name: 'get_time' } }, { type: 'tool', name: 'get_time' }],
      [{ parallelToolCalls: false }, { type: 'auto', disable_parallel_tool_use: true }],
      [
        { toolChoice: 'required', parallelToolCalls: false },
        { type: 'any', disable_parallel_tool_use: true },
      ],
    ];
    for (const _ of cases) upstream.reply(anthropicMessages.stream(['ok']));
    for (const [options] of cases)
      expect(
        endOf(await collect(model(), { messages: userSays('hi'), tools: [weather, time], ...options })),
      ).toMatchObject({
        type: 'finish',
      });
    for (const [index, [, toolChoice]] of cases.entries()) {
      expect(bodyOf(index).tool_choice).toEqual(toolChoice);
      expect(bodyOf(index).tools).toMatchObject([
        { name: 'get_weather', description: 'The weather in a city', input_schema: weather.parameters },
        { name: 'get_time', input_schema: time.parameters },
      ]);
    }
  });

  it('sends no tools and no tool choice when the call has none', async () => {
    upstream.reply(anthropicMessages.stream(['ok']));
    await collect(model(), { messages: userSays('hi'), toolChoice: 'required', parallelToolCalls: false });
    expect(bodyOf()).not.toHaveProperty('tools');
    expect(bodyOf()).not.toHaveProperty('tool_choice');
  });

  it('streams a tool call split over many input_json_delta events as fragments of one call', async () => {
    const args = JSON.stringify({ city: 'Oslo', unit: 'celsius', days: [1, 2, 3] });
    upstream.reply(
      anthropicMessages.toolCalls([{ id: 'toolu_1', name: 'get_weather', arguments: args, pieces: 9 }]),
    );
    const parts = await collect(model(), { messages: userSays('Weather in Oslo?'), tools: [weather] });
    const fragments = parts.filter((part) => part.type === 'tool-call-delta');
    expect(fragments.length).toBeGreaterThanOrEqual(9);
    expect(fragments[0]).toEqual({
      type: 'tool-call-delta',
      index: 0,
      id: 'toolu_1',
      name: 'get_weather',
      arguments: '',
    });
    expect(fragments.slice(1).every((part) => part.id === undefined && part.name === undefined)).toBe(true);
    expect(answerOf(parts)).toEqual([
      { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: args },
    ]);
    expect(endOf(parts)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('streams two parallel calls after some text, each indexed in order, and completes with tool_calls', async () => {
    upstream.reply(
      anthropicMessages.toolCalls(
        [
          { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          { name: 'get_weather', arguments: '{"city":"Rome"}', pieces: 5 },
        ],
        { text: ['Checking', ' both.'] },
      ),
    );
    const parts = await collect(model(), { messages: userSays('Oslo and Rome?'), tools: [weather] });
    expect(answerOf(parts)).toEqual([
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_call', id: 'toolu_test_0', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'tool_call', id: 'toolu_test_1', name: 'get_weather', arguments: '{"city":"Rome"}' },
    ]);
    const firsts = parts.filter((part) => part.type === 'tool-call-delta' && part.id);
    expect(firsts.map((part) => part.type === 'tool-call-delta' && part.index)).toEqual([0, 1]);
    expect(endOf(parts)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('gives a call without input the arguments {} once', async () => {
    upstream.reply(anthropicMessages.toolCalls([{ id: 'toolu_t', name: 'get_time', arguments: '' }]));
    const parts = await collect(model(), { messages: userSays('Time?'), tools: [time] });
    expect(answerOf(parts)).toEqual([
      { type: 'tool_call', id: 'toolu_t', name: 'get_time', arguments: '{}' },
    ]);
  });

  it('sends earlier calls as tool_use blocks and the results of parallel calls in one user turn', async () => {
    upstream.reply(anthropicMessages.stream(['Sunny in both.']));
    const messages: ChatMessage[] = [
      ...userSays('Oslo and Rome?'),
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
          { type: 'tool_call', id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
      },
      { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: '21°C, sunny' }] },
      { role: 'tool', toolCallId: 'call_2', content: [{ type: 'text', text: '28°C, sunny' }] },
    ];
    const parts = await collect(model(), { messages, tools: [weather] });
    expect(textOfParts(parts)).toBe('Sunny in both.');
    expect(bodyOf().messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Oslo and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '21°C, sunny' },
          { type: 'tool_result', tool_use_id: 'call_2', content: '28°C, sunny' },
        ],
      },
    ]);
  });

  it('refuses, before any request, a stored call whose arguments are not a JSON object', async () => {
    const parts = await collect(model(), {
      messages: [
        ...userSays('hi'),
        {
          role: 'assistant',
          content: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":' }],
        },
        { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: 'x' }] },
      ],
      tools: [weather],
    });
    expect(endOf(parts)).toMatchObject({ type: 'error', error: { kind: 'bad_request', retryable: false } });
    expect(String((endOf(parts) as { error: Error }).error.message)).toContain('call_1');
    expect(upstream.received).toHaveLength(0);
  });

  it('asks for a json_schema answer with output_config.format and streams the JSON as text', async () => {
    upstream.reply(anthropicMessages.stream(['{"answer":', '42}']));
    const schema = {
      type: 'object',
      properties: { answer: { type: 'number' } },
      required: ['answer'],
      additionalProperties: false,
    };
    const parts = await collect(model(), {
      messages: userSays('The answer?'),
      responseFormat: { type: 'json_schema', name: 'answer', schema },
    });
    expect(textOfParts(parts)).toBe('{"answer":42}');
    expect(bodyOf().output_config).toEqual({ format: { type: 'json_schema', schema } });
    expect(bodyOf()).not.toHaveProperty('tools');
  });

  it('asks for a JSON object with the forced json tool and streams its input as the answer text', async () => {
    upstream.reply(
      anthropicMessages.toolCalls([{ name: 'json', arguments: '{"city":"Oslo","ok":true}', pieces: 4 }]),
    );
    const parts = await collect(model(), {
      messages: userSays('JSON please'),
      responseFormat: { type: 'json_object' },
    });
    expect(textOfParts(parts)).toBe('{"city":"Oslo","ok":true}');
    expect(parts.some((part) => part.type === 'tool-call-delta')).toBe(false);
    expect(endOf(parts)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(bodyOf()).toMatchObject({
      tools: [{ name: 'json', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any' },
    });
  });

  it('sends temperature, top_k and stop sequences; top_p only without a temperature', async () => {
    upstream.reply(anthropicMessages.stream(['a']), anthropicMessages.stream(['b']));
    await collect(model(), {
      messages: userSays('hi'),
      temperature: 0.7,
      topK: 40,
      topP: 0.9,
      stop: ['END', '###'],
    });
    await collect(model(), { messages: userSays('hi'), topP: 0.9 });
    expect(bodyOf(0)).toMatchObject({ temperature: 0.7, top_k: 40, stop_sequences: ['END', '###'] });
    expect(bodyOf(0)).not.toHaveProperty('top_p');
    expect(bodyOf(1)).toMatchObject({ top_p: 0.9 });
  });

  it('says which hints it takes, and which it drops in combination', () => {
    const claude = model() as LanguageModel & { fitCall: (options: GenerationOptions) => unknown };
    expect([...claude.parameterSupport.accepts].sort()).toEqual(['stop', 'temperature', 'topK', 'topP']);
    expect(claude.parameterSupport.maxTemperature).toBe(1);
    expect(claude.fitCall({ temperature: 0.5, topP: 0.9, topK: 3, reasoning: { effort: 'low' } })).toEqual({
      options: { temperature: undefined, topP: undefined, topK: undefined, reasoning: { effort: 'low' } },
      dropped: [
        { parameter: 'temperature', reason: 'upstream does not take temperature while thinking' },
        { parameter: 'topK', reason: 'upstream does not take topK while thinking' },
        { parameter: 'topP', reason: 'upstream does not take topP while thinking' },
      ],
    });
    expect(claude.fitCall({ temperature: 0.5, topP: 0.9 })).toMatchObject({
      dropped: [{ parameter: 'topP', reason: 'upstream takes temperature or topP, not both' }],
    });
  });

  it('thinks with a budget per effort, adds it to max_tokens and sends no temperature', async () => {
    upstream.reply(anthropicMessages.stream(['a']), anthropicMessages.stream(['b']));
    await collect(model(), {
      messages: userSays('hi'),
      reasoning: { effort: 'medium' },
      maxTokens: 1000,
      temperature: 0.5,
    });
    await collect(model(), { messages: userSays('hi'), reasoning: { maxTokens: 300 }, maxTokens: 500 });
    expect(bodyOf(0)).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 8192 }, max_tokens: 9192 });
    expect(bodyOf(0)).not.toHaveProperty('temperature');
    expect(bodyOf(1)).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 1024 }, max_tokens: 1524 });
  });

  it('refuses a forced tool call while thinking, before any request', async () => {
    const parts = await collect(model(), {
      messages: userSays('hi'),
      tools: [weather],
      toolChoice: 'required',
      reasoning: { effort: 'low' },
    });
    expect(endOf(parts)).toMatchObject({ type: 'error', error: { kind: 'bad_request', retryable: false } });
    expect(upstream.received).toHaveLength(0);
  });

  it('streams thinking as reasoning with its signature, and sends it back signed on the next turn', async () => {
    upstream.reply(anthropicMessages.thinking(['Let me ', 'think.'], 'sig_abc', ['Forty', '-two.']));
    const parts = await collect(model(), { messages: userSays('Answer?'), reasoning: { effort: 'low' } });
    expect(parts.filter((part) => part.type === 'reasoning-delta')).toEqual([
      { type: 'reasoning-delta', text: 'Let me ' },
      { type: 'reasoning-delta', text: 'think.' },
      { type: 'reasoning-delta', text: '', echo: { provider: 'upstream', data: { signature: 'sig_abc' } } },
    ]);
    const answer = answerOf(parts);
    expect(answer).toEqual([
      {
        type: 'reasoning',
        text: 'Let me think.',
        echo: { provider: 'upstream', data: { signature: 'sig_abc' } },
      },
      { type: 'text', text: 'Forty-two.' },
    ]);

    upstream.reply(anthropicMessages.stream(['Sure.']));
    await collect(model(), {
      messages: [...userSays('Answer?'), { role: 'assistant', content: answer }, ...userSays('Sure?')],
      reasoning: { effort: 'low' },
    });
    expect((bodyOf(1).messages as unknown[])[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Let me think.', signature: 'sig_abc' },
        { type: 'text', text: 'Forty-two.' },
      ],
    });
  });

  it('keeps redacted thinking as a reasoning part with its data, and leaves out reasoning of other providers', async () => {
    upstream.reply(
      anthropicMessages.blocks([
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
        { type: 'thinking', pieces: ['More.'], signature: 'sig_2' },
        { type: 'tool_use', id: 'toolu_9', name: 'get_time', pieces: [] },
      ]),
    );
    const parts = await collect(model(), {
      messages: userSays('Time?'),
      tools: [time],
      reasoning: { effort: 'low' },
    });
    const answer = answerOf(parts);
    expect(answer).toEqual([
      {
        type: 'reasoning',
        text: '',
        echo: { provider: 'upstream', data: { redactedData: 'EmwKAhgBEgy3va3pzix' } },
      },
      { type: 'reasoning', text: 'More.', echo: { provider: 'upstream', data: { signature: 'sig_2' } } },
      { type: 'tool_call', id: 'toolu_9', name: 'get_time', arguments: '{}' },
    ]);

    upstream.reply(anthropicMessages.stream(['Noon.']));
    await collect(model(), {
      messages: [
        ...userSays('Time?'),
        {
          role: 'assistant',
          content: [
            {
              type: 'reasoning',
              text: 'elsewhere',
              echo: { provider: 'google', data: { thoughtSignature: 'x' } },
            },
            ...answer,
          ],
        },
        { role: 'tool', toolCallId: 'toolu_9', content: [{ type: 'text', text: '12:00' }] },
      ],
      tools: [time],
      reasoning: { effort: 'low' },
    });
    expect((bodyOf(1).messages as unknown[]).slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
          { type: 'thinking', thinking: 'More.', signature: 'sig_2' },
          { type: 'tool_use', id: 'toolu_9', name: 'get_time', input: {} },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: '12:00' }] },
    ]);
  });

  it('counts an answer with only tool calls as an answer, not as a withheld one', async () => {
    upstream.reply(
      anthropicMessages.toolCalls([{ name: 'get_time', arguments: '{}' }], { stopReason: 'refusal' }),
    );
    const parts = await collect(model(), { messages: userSays('Time?'), tools: [time] });
    expect(endOf(parts)).toMatchObject({ type: 'finish', finishReason: 'content_filter' });
  });

  it('calls its own tools and searches natively in one request', async () => {
    upstream.reply(anthropicMessages.stream(['ok']));
    await collect(model(), { messages: userSays('hi'), search: true, tools: [weather] });
    expect(bodyOf().tools).toMatchObject([
      { type: 'web_search_20250305', name: 'web_search' },
      { name: 'get_weather' },
    ]);
  });
});
