import { count } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completions, messages } from '../../src/db/schema.js';
import { queryData } from '../support/graphql.js';
import { readSseEvents } from '../support/sse.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { sseEvent, sseHeaders, startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

/** SPEC §6 through REST and GraphQL, against an OpenAI-format upstream. */

const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const chunk = (delta: unknown, finishReason: string | null = null) =>
  sseEvent({
    id: 'chatcmpl-tools',
    object: 'chat.completion.chunk',
    created: 1_764_000_000,
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });

/** OpenAI streaming one call to get_weather, its arguments in three pieces. */
const weatherCallReply = {
  headers: sseHeaders,
  chunks: [
    chunk({
      role: 'assistant',
      content: null,
      tool_calls: [
        { index: 0, id: 'call_oslo', type: 'function', function: { name: 'get_weather', arguments: '' } },
      ],
    }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Os' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: 'lo"}' } }] }),
    chunk({}, 'tool_calls'),
    sseEvent({
      id: 'chatcmpl-tools',
      object: 'chat.completion.chunk',
      created: 1_764_000_000,
      model: 'gpt-4o-2024-08-06',
      choices: [],
      usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
    }),
    sseEvent('[DONE]'),
  ],
};

const textReply = (text: string) => ({
  headers: sseHeaders,
  chunks: [
    chunk({ role: 'assistant', content: '' }),
    chunk({ content: text }),
    chunk({}, 'stop'),
    sseEvent('[DONE]'),
  ],
});

describe.each(drivers)('tool calling through REST and GraphQL on %s', (driver) => {
  let t: TestApp;
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await startUpstream();
    t = await startTestApp({
      driver,
      env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${upstream.url}/v1` },
      configFile: { models: [{ id: 'openai/gpt-4o', inputPricePerMTok: 0.5, outputPricePerMTok: 4 }] },
    });
  });
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  const storedRows = async () => {
    await t.settled();
    const [turns] = await t.db.database.db.select({ n: count() }).from(messages);
    const [answers] = await t.db.database.db.select({ n: count() }).from(completions);
    return { turns: turns!.n, answers: answers!.n };
  };

  it('runs a two-turn tool loop: the call, then the result, then the final answer, stored and billed', async () => {
    upstream.reply(weatherCallReply, textReply('It is sunny in Oslo.'));
    const first = await t.post('/api/v1/completions', {
      models: ['openai/gpt-4o'],
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [weatherTool],
      toolChoice: 'required',
    });
    expect(first.status).toBe(200);
    const call = await first.json();
    expect(call.finishReason).toBe('tool_calls');
    expect(call.message.content).toEqual([
      { type: 'tool_call', id: 'call_oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    ]);
    expect(call.usage.totalTokens).toBe(52);
    expect(call.usage.costs.total_tokens_cost).toBeCloseTo(40 * 0.5e-6 + 12 * 4e-6, 12);
    const sent = upstream.received[0]!.body as Record<string, unknown>;
    expect(sent.tools).toEqual([{ type: 'function', function: weatherTool }]);
    expect(sent.tool_choice).toBe('required');

    const second = await t.post('/api/v1/completions', {
      models: ['openai/gpt-4o'],
      conversationId: call.conversationId,
      messages: [{ role: 'tool', toolCallId: 'call_oslo', content: '{"sky":"clear"}' }],
      tools: [weatherTool],
    });
    expect(second.status).toBe(200);
    const answer = await second.json();
    expect(answer.message.content).toEqual([{ type: 'text', text: 'It is sunny in Oslo.' }]);
    expect(answer.finishReason).toBe('stop');
    const history = (upstream.received[1]!.body as { messages: unknown[] }).messages;
    expect(history).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_oslo',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_oslo', content: '{"sky":"clear"}' },
    ]);

    await t.settled();
    const data = await queryData<{
      conversation: {
        messages: { role: string; toolCallId: string | null; content: Record<string, unknown>[] }[];
      };
    }>(
      t.url,
      `query ($id: ID!) { conversation(id: $id) { messages { role toolCallId content { type text id name arguments } } } }`,
      { id: call.conversationId },
    );
    expect(data.conversation.messages.map((m) => [m.role, m.toolCallId, m.content[0]?.type])).toEqual([
      ['USER', null, 'TEXT'],
      ['ASSISTANT', null, 'TOOL_CALL'],
      ['TOOL', 'call_oslo', 'TEXT'],
      ['ASSISTANT', null, 'TEXT'],
    ]);
    expect(data.conversation.messages[1]!.content[0]).toMatchObject({
      id: 'call_oslo',
      name: 'get_weather',
      arguments: '{"city":"Oslo"}',
    });
  });

  it('streams tool-call fragments with id and name on the first, then one done holding the whole call', async () => {
    // Apart in time, so that the fragments leave the upstream in separate network reads.
    upstream.reply({ ...weatherCallReply, chunkDelayMs: 15 });
    const response = await t.post('/api/v1/completions', {
      models: ['openai/gpt-4o'],
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [weatherTool],
      stream: true,
    });
    const events = await readSseEvents(response);
    const fragments = events.filter((event) => event.type === 'tool_call');
    expect(fragments[0]).toEqual({
      type: 'tool_call',
      index: 0,
      id: 'call_oslo',
      name: 'get_weather',
      arguments: '',
    });
    expect(fragments.length).toBeGreaterThan(2);
    expect(fragments.slice(1).every((event) => event.id === undefined && event.name === undefined)).toBe(
      true,
    );
    expect(fragments.map((event) => event.arguments).join('')).toBe('{"city":"Oslo"}');
    const done = events.at(-1) as { type: string; message: { content: unknown[] }; finishReason: string };
    expect(done.type).toBe('done');
    expect(done.finishReason).toBe('tool_calls');
    expect(done.message.content).toEqual([
      { type: 'tool_call', id: 'call_oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    ]);
  });

  it('streams tool-call fragments over a GraphQL subscription (SSE) and returns the calls in the completion', async () => {
    upstream.reply(weatherCallReply);
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: 'Bearer sy-test-admin-key-0123456789abcdef',
      },
      body: JSON.stringify({
        query: `subscription ($input: CompletionInput!) { completionStream(input: $input) {
          __typename
          ... on CompletionToolCallChunk { index id name arguments }
          ... on CompletionDoneChunk { completion { finishReason message { content { type id name arguments } } } }
        } }`,
        variables: {
          input: {
            models: ['openai/gpt-4o'],
            messages: [{ role: 'USER', content: [{ type: 'TEXT', text: 'Weather in Oslo?' }] }],
            tools: [weatherTool],
            toolChoice: { name: 'get_weather' },
          },
        },
      }),
    });
    const text = await response.text();
    const payloads = text
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line.length > 6)
      .map((line) => JSON.parse(line.slice(6)) as { data?: { completionStream: Record<string, unknown> } })
      .map((payload) => payload.data?.completionStream)
      .filter((chunk) => chunk !== undefined);
    const calls = payloads.filter((chunk) => chunk.__typename === 'CompletionToolCallChunk');
    expect(calls[0]).toMatchObject({ index: 0, id: 'call_oslo', name: 'get_weather' });
    expect(calls.map((chunk) => chunk.arguments).join('')).toBe('{"city":"Oslo"}');
    expect(payloads.at(-1)).toEqual({
      __typename: 'CompletionDoneChunk',
      completion: {
        finishReason: 'TOOL_CALLS',
        message: {
          content: [
            { type: 'TOOL_CALL', id: 'call_oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' },
          ],
        },
      },
    });
    expect((upstream.received[0]!.body as Record<string, unknown>).tool_choice).toEqual({
      type: 'function',
      function: { name: 'get_weather' },
    });
  });

  it('sends a json_schema response format and answers the JSON document as text', async () => {
    upstream.reply(textReply('{"city":"Oslo","celsius":21}'));
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, celsius: { type: 'number' } },
      required: ['city', 'celsius'],
      additionalProperties: false,
    };
    const response = await t.post('/api/v1/completions', {
      models: ['openai/gpt-4o'],
      messages: [{ role: 'user', content: 'Oslo weather as JSON' }],
      responseFormat: { type: 'json_schema', name: 'weather', schema, strict: true },
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(JSON.parse(body.message.content[0].text)).toEqual({ city: 'Oslo', celsius: 21 });
    expect((upstream.received[0]!.body as Record<string, unknown>).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'weather', schema, strict: true },
    });
  });

  it('does not serve a tool request with a model that cannot call tools: 422 with the reason', async () => {
    const response = await t.post('/api/v1/completions', {
      models: ['local/echo'],
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [weatherTool],
    });
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.error.code).toBe('no_eligible_model');
    expect(body.error.candidates).toEqual([{ model: 'local/echo', reason: 'the model cannot call tools' }]);
    expect(upstream.received).toHaveLength(0);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['a tool name with spaces', { tools: [{ ...weatherTool, name: 'get weather' }] }, 'tools.0.name'],
    [
      'parameters that are not a JSON Schema object',
      { tools: [{ ...weatherTool, parameters: 'a string' }] },
      'tools.0.parameters',
    ],
    [
      'parameters of another JSON type',
      { tools: [{ ...weatherTool, parameters: { type: 'array' } }] },
      'tools.0.parameters',
    ],
    ['two tools of one name', { tools: [weatherTool, weatherTool] }, 'tools.1.name'],
    [
      'a toolChoice naming an unknown tool',
      { tools: [weatherTool], toolChoice: { name: 'get_time' } },
      'toolChoice.name',
    ],
    ['toolChoice required without tools', { toolChoice: 'required' }, 'toolChoice'],
    ['a toolChoice of another value', { tools: [weatherTool], toolChoice: 'always' }, 'toolChoice'],
    [
      'a json_schema format without schema',
      { responseFormat: { type: 'json_schema', name: 'w' } },
      'responseFormat',
    ],
    [
      'a tool message answering no call',
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'tool', toolCallId: 'call_nope', content: 'x' },
        ],
      },
      'messages.1.toolCallId',
    ],
    [
      'a tool message without toolCallId',
      { messages: [{ role: 'tool', content: 'x' }] },
      'messages.0.toolCallId',
    ],
    [
      'a tool call in a user message',
      { messages: [{ role: 'user', content: [{ type: 'tool_call', id: 'c', name: 'n', arguments: '{}' }] }] },
      'messages.0.content.0.type',
    ],
  ];

  it.each(invalid)(
    'refuses %s with 400 naming the field, calling no upstream and storing nothing',
    async (_, fields, path) => {
      const before = await storedRows();
      const response = await t.post('/api/v1/completions', {
        models: ['openai/gpt-4o'],
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
        ...fields,
      });
      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.message).toContain(path);
      expect(upstream.received).toHaveLength(0);
      expect(await storedRows()).toEqual(before);
    },
  );

  it('refuses the same invalid tool choice through GraphQL with the field named', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sy-test-admin-key-0123456789abcdef',
      },
      body: JSON.stringify({
        query: 'mutation ($input: CompletionInput!) { completion(input: $input) { finishReason } }',
        variables: {
          input: {
            models: ['openai/gpt-4o'],
            messages: [{ role: 'USER', content: [{ type: 'TEXT', text: 'hi' }] }],
            tools: [weatherTool],
            toolChoice: { name: 'get_time' },
          },
        },
      }),
    });
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toContain('toolChoice');
    expect(body.errors[0]!.message).toContain('get_time');
    expect(upstream.received).toHaveLength(0);
  });
});
