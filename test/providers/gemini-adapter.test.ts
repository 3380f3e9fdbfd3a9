import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnswerBuilder } from '../../src/completions/answer-builder.js';
import type {
  GenerationOptions,
  ParameterSupport,
  ToolDefinition,
} from '../../src/core/generation-options.js';
import type { ChatMessage, ContentPart } from '../../src/core/messages.js';
import type { ProviderStreamPart } from '../../src/providers/provider.js';
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

describe('Gemini adapter: tools, structured output, sampling and thinking', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  beforeEach(() => upstream.reset());
  afterAll(() => upstream.close());

  const model = (id = 'gemini-2.5-flash') => modelAt('google', `${upstream.url}/v1beta`, id);
  const weather: ToolDefinition = {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  };
  const bodyOf = (index = 0) => upstream.received[index]!.body as Record<string, unknown>;

  it('sends the tools as function declarations, with each tool choice as a function calling mode', async () => {
    const cases: [GenerationOptions, unknown][] = [
      [{ toolChoice: 'auto' }, { functionCallingConfig: { mode: 'AUTO' } }],
      [{ toolChoice: 'none' }, { functionCallingConfig: { mode: 'NONE' } }],
      [{ toolChoice: 'required' }, { functionCallingConfig: { mode: 'ANY' } }],
      [
        { toolChoice: { name: 'get_weather' } },
        { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      ],
    ];
    for (const _ of cases) upstream.reply(gemini.stream(['ok']));
    for (const [options] of cases)
      await collect(model(), { messages: userSays('hi'), tools: [weather], ...options });
    for (const [index, [, toolConfig]] of cases.entries()) {
      expect(bodyOf(index).toolConfig).toEqual(toolConfig);
      expect(bodyOf(index).tools).toEqual([
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'The weather in a city',
              parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            },
          ],
        },
      ]);
    }
  });

  it('streams whole function calls as one fragment each, with the thought signature, completing with tool_calls', async () => {
    upstream.reply(
      gemini.functionCalls(
        [
          { name: 'get_weather', args: { city: 'Oslo' }, thoughtSignature: 'c2lnbmF0dXJl' },
          { name: 'get_weather', args: { city: 'Rome' } },
        ],
        { text: ['Checking.'] },
      ),
    );
    const parts = await collect(model(), { messages: userSays('Oslo and Rome?'), tools: [weather] });
    const answer = answerOf(parts);
    expect(answer).toEqual([
      { type: 'text', text: 'Checking.' },
      {
        type: 'tool_call',
        id: expect.any(String),
        name: 'get_weather',
        arguments: '{"city":"Oslo"}',
        echo: { provider: 'upstream', data: { thoughtSignature: 'c2lnbmF0dXJl' } },
      },
      { type: 'tool_call', id: expect.any(String), name: 'get_weather', arguments: '{"city":"Rome"}' },
    ]);
    const ids = parts.flatMap((part) => (part.type === 'tool-call-delta' && part.id ? [part.id] : []));
    expect(new Set(ids).size).toBe(2);
    expect(parts.filter((part) => part.type === 'tool-call-delta' && part.echo)).toHaveLength(1);
    expect(endOf(parts)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('sends earlier calls with their signatures, and the results matched by name in one turn', async () => {
    upstream.reply(gemini.stream(['Sunny in both.']));
    const messages: ChatMessage[] = [
      ...userSays('Oslo and Rome?'),
      {
        role: 'assistant',
        content: [
          {
            type: 'tool_call',
            id: 'call_1',
            name: 'get_weather',
            arguments: '{"city":"Oslo"}',
            echo: { provider: 'upstream', data: { thoughtSignature: 'c2ln' } },
          },
          // Made on another provider: its echo is not this provider's.
          {
            type: 'tool_call',
            id: 'call_2',
            name: 'get_time',
            arguments: '{}',
            echo: { provider: 'anthropic', data: { thoughtSignature: 'other' } },
          },
        ],
      },
      { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: '21°C' }] },
      { role: 'tool', toolCallId: 'call_2', content: [{ type: 'text', text: '12:00' }] },
    ];
    await collect(model(), { messages, tools: [weather] });
    expect(bodyOf().contents).toEqual([
      { role: 'user', parts: [{ text: 'Oslo and Rome?' }] },
      {
        role: 'model',
        parts: [
          {
            functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Oslo' } },
            thoughtSignature: 'c2ln',
          },
          { functionCall: { id: 'call_2', name: 'get_time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          {
            functionResponse: {
              id: 'call_1',
              name: 'get_weather',
              response: { name: 'get_weather', content: '21°C' },
            },
          },
          {
            functionResponse: {
              id: 'call_2',
              name: 'get_time',
              response: { name: 'get_time', content: '12:00' },
            },
          },
        ],
      },
    ]);
  });

  it('asks for a json_schema answer with responseMimeType and responseSchema, and a JSON object with the type only', async () => {
    upstream.reply(gemini.stream(['{"answer":', '42}']), gemini.stream(['{}']));
    const schema = {
      type: 'object',
      properties: { answer: { type: 'number' }, unit: { type: ['string', 'null'] } },
      required: ['answer'],
    };
    const parts = await collect(model(), {
      messages: userSays('The answer?'),
      responseFormat: { type: 'json_schema', name: 'answer', schema },
    });
    await collect(model(), { messages: userSays('JSON'), responseFormat: { type: 'json_object' } });
    expect(textOfParts(parts)).toBe('{"answer":42}');
    expect(bodyOf(0).generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: {
        type: 'object',
        properties: { answer: { type: 'number' }, unit: { type: 'string', nullable: true } },
        required: ['answer'],
      },
    });
    expect(bodyOf(1).generationConfig).toEqual({ responseMimeType: 'application/json' });
  });

  it('refuses, before any request, a JSON Schema Gemini cannot take', async () => {
    const schema = {
      type: 'object',
      properties: { node: { $ref: '#/$defs/node' } },
      $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' } } } },
    };
    const parts = await collect(model(), {
      messages: userSays('hi'),
      responseFormat: { type: 'json_schema', name: 'tree', schema },
    });
    expect(endOf(parts)).toMatchObject({ type: 'error', error: { kind: 'bad_request', retryable: false } });
    expect(String((endOf(parts) as { error: Error }).error.message)).toMatch(/recursive/i);
    expect(upstream.received).toHaveLength(0);
  });

  it('sends every sampling hint in generationConfig', async () => {
    upstream.reply(gemini.stream(['ok']));
    await collect(model('gemini-2.0-flash'), {
      messages: userSays('hi'),
      temperature: 1.5,
      topP: 0.9,
      topK: 40,
      stop: ['END'],
      seed: 7,
      frequencyPenalty: 0.5,
      presencePenalty: -0.5,
    });
    expect(bodyOf().generationConfig).toEqual({
      temperature: 1.5,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      seed: 7,
      frequencyPenalty: 0.5,
      presencePenalty: -0.5,
    });
  });

  it('says which hints each model takes: no penalties on Gemini 2.5', () => {
    const sorted = (support: ParameterSupport) => [...support.accepts].sort();
    expect(sorted(model('gemini-2.0-flash').parameterSupport)).toEqual([
      'frequencyPenalty',
      'presencePenalty',
      'seed',
      'stop',
      'temperature',
      'topK',
      'topP',
    ]);
    expect(sorted(model('gemini-2.5-pro').parameterSupport)).toEqual([
      'seed',
      'stop',
      'temperature',
      'topK',
      'topP',
    ]);
    expect(model().parameterSupport).toMatchObject({ maxTemperature: 2, maxStopSequences: 5 });
  });

  it('thinks with a budget on Gemini 2.5 (room left for the answer) and a level on Gemini 3, asking for thoughts', async () => {
    upstream.reply(gemini.stream(['a']), gemini.stream(['b']), gemini.stream(['c']));
    await collect(model(), { messages: userSays('hi'), reasoning: { effort: 'low' }, maxTokens: 100 });
    await collect(model('gemini-3-pro-preview'), {
      messages: userSays('hi'),
      reasoning: { effort: 'medium' },
    });
    await collect(model('gemini-3-flash-preview'), {
      messages: userSays('hi'),
      reasoning: { maxTokens: 500 },
    });
    expect(bodyOf(0).generationConfig).toEqual({
      maxOutputTokens: 2148,
      thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
    });
    expect(bodyOf(1).generationConfig).toEqual({
      thinkingConfig: { thinkingLevel: 'high', includeThoughts: true },
    });
    expect(bodyOf(2).generationConfig).toEqual({
      thinkingConfig: { thinkingBudget: 500, includeThoughts: true },
    });
  });

  it('streams thought summaries as reasoning, then the answer, with reasoning tokens counted', async () => {
    upstream.reply(
      gemini.thinking(['**Planning**\n', 'Add them.'], ['4'], {
        usage: { promptTokenCount: 10, candidatesTokenCount: 1, thoughtsTokenCount: 40 },
      }),
    );
    const parts = await collect(model(), { messages: userSays('2+2?'), reasoning: { effort: 'low' } });
    expect(answerOf(parts)).toEqual([
      { type: 'reasoning', text: '**Planning**\nAdd them.' },
      { type: 'text', text: '4' },
    ]);
    expect(endOf(parts)).toMatchObject({
      type: 'finish',
      finishReason: 'stop',
      usage: { promptTokens: 10, completionTokens: 41, reasoningTokens: 40 },
    });
  });

  it('keeps a signed thought with its signature and sends it back as a thought to this provider only', async () => {
    upstream.reply(
      gemini.parts([[{ text: 'Hmm.', thought: true, thoughtSignature: 'dGhvdWdodA' }], [{ text: 'Yes.' }]]),
    );
    const parts = await collect(model(), { messages: userSays('Sure?'), reasoning: { effort: 'low' } });
    const answer = answerOf(parts);
    expect(answer).toEqual([
      {
        type: 'reasoning',
        text: 'Hmm.',
        echo: { provider: 'upstream', data: { thoughtSignature: 'dGhvdWdodA' } },
      },
      { type: 'text', text: 'Yes.' },
    ]);
    upstream.reply(gemini.stream(['Sure.']));
    await collect(model(), {
      messages: [
        ...userSays('Sure?'),
        { role: 'assistant', content: [{ type: 'reasoning', text: 'not mine' }, ...answer] },
        ...userSays('Really?'),
      ],
    });
    expect((bodyOf(1).contents as unknown[])[1]).toEqual({
      role: 'model',
      parts: [{ text: 'Hmm.', thought: true, thoughtSignature: 'dGhvdWdodA' }, { text: 'Yes.' }],
    });
  });

  it('refuses search with functions before Gemini 3, and sends both to Gemini 3', async () => {
    const refused = await collect(model(), { messages: userSays('hi'), search: true, tools: [weather] });
    expect(endOf(refused)).toMatchObject({ type: 'error', error: { kind: 'bad_request' } });
    expect(upstream.received).toHaveLength(0);

    upstream.reply(gemini.stream(['ok']));
    await collect(model('gemini-3-flash-preview'), {
      messages: userSays('hi'),
      search: true,
      tools: [weather],
    });
    expect(bodyOf().tools).toMatchObject([
      { googleSearch: {} },
      { functionDeclarations: [{ name: 'get_weather' }] },
    ]);
  });
});
