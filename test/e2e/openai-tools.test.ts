import { asc, eq } from 'drizzle-orm';
import OpenAI, { BadRequestError, UnprocessableEntityError } from 'openai';
import { zodFunction, zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { completions, messages } from '../../src/db/schema.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

const weatherTool: OpenAI.ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

const weatherCall = { id: 'call_oslo', name: 'get_weather', arguments: ['{"city":', '"Oslo"}'] };

interface UpstreamBody {
  model: string;
  messages: Record<string, unknown>[];
  [field: string]: unknown;
}

describe.each(drivers)(
  'tool calling on /v1/chat/completions with the official openai client on %s',
  (driver) => {
    let t: TestApp;
    let upstream: Upstream;
    let client: OpenAI;

    beforeAll(async () => {
      upstream = await startUpstream();
      t = await startTestApp({
        driver,
        env: { OPENAI_API_KEY: 'sk-openai-test-key', OPENAI_BASE_URL: `${upstream.url}/v1` },
        configFile: { models: [{ id: 'openai/gpt-4o', inputPricePerMTok: 2.5, outputPricePerMTok: 10 }] },
      });
      client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: adminKey, maxRetries: 0 });
    });
    beforeEach(() => upstream.reset());
    afterAll(async () => {
      await t.close();
      await upstream.close();
    });

    const sent = (index: number) => upstream.received[index]!.body as UpstreamBody;
    const storedTurns = async (conversationId: string) => {
      await t.settled();
      return t.db.database.db
        .select({ role: messages.role, content: messages.content, toolCallId: messages.toolCallId })
        .from(messages)
        .where(eq(messages.conversationId, conversationId))
        .orderBy(asc(messages.seq));
    };
    const conversationOf = (completion: object) =>
      (completion as { switchyard: { conversation_id: string } }).switchyard.conversation_id;

    it('answers a tool call with message.tool_calls, content null and finish_reason tool_calls', async () => {
      upstream.reply(openaiChat.toolCallStream([weatherCall]));
      const completion = await client.chat.completions.create({
        model: 'openai/gpt-4o',
        messages: [{ role: 'user', content: 'What is the weather in Oslo?' }],
        tools: [weatherTool],
        tool_choice: 'auto',
        parallel_tool_calls: false,
      });

      expect(completion.choices).toEqual([
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            annotations: [],
            tool_calls: [
              {
                id: 'call_oslo',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
              },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ]);
      // The tools reach the upstream in OpenAI's own shape.
      expect(sent(0)).toMatchObject({
        model: 'gpt-4o',
        tools: [weatherTool],
        tool_choice: 'auto',
        parallel_tool_calls: false,
      });
    });

    it('runs a two-turn tool loop: the call, the tool result, the final answer; all stored and billed', async () => {
      const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'Weather in Oslo?' };
      upstream.reply(openaiChat.toolCallStream([weatherCall], { text: ['Let me check.'] }));
      const first = await client.chat.completions.create({
        model: 'openai/gpt-4o',
        messages: [question],
        tools: [weatherTool],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      const assistant = first.choices[0]!.message;
      expect(assistant.content).toBe('Let me check.');
      expect(sent(0).tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
      const call = assistant.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
      const args = JSON.parse(call.function.arguments) as { city: string };
      expect(args).toEqual({ city: 'Oslo' });

      upstream.reply(
        openaiChat.stream(['It is 7 °C ', 'in Oslo.'], {
          usage: { prompt_tokens: 40, completion_tokens: 8 },
        }),
      );
      const second = await client.chat.completions.create({
        model: 'openai/gpt-4o',
        messages: [
          question,
          assistant,
          { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ celsius: 7 }) },
        ],
        tools: [weatherTool],
      });
      expect(second.choices[0]).toMatchObject({
        message: { role: 'assistant', content: 'It is 7 °C in Oslo.' },
        finish_reason: 'stop',
      });
      expect(second.choices[0]!.message.tool_calls).toBeUndefined();
      // The upstream got the earlier call and its result in OpenAI's shape.
      expect(sent(1).messages).toEqual([
        { role: 'user', content: 'Weather in Oslo?' },
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            {
              id: 'call_oslo',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_oslo', content: '{"celsius":7}' },
      ]);

      // Stored as tool turns, and billed: $2.5 and $10 per million tokens.
      expect(await storedTurns(conversationOf(second))).toEqual([
        { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }], toolCallId: null },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_call', id: 'call_oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' },
          ],
          toolCallId: null,
        },
        { role: 'tool', content: [{ type: 'text', text: '{"celsius":7}' }], toolCallId: 'call_oslo' },
        { role: 'assistant', content: [{ type: 'text', text: 'It is 7 °C in Oslo.' }], toolCallId: null },
      ]);
      const [row] = await t.db.database.db
        .select()
        .from(completions)
        .where(eq(completions.conversationId, conversationOf(second)));
      expect(row).toMatchObject({ status: 'succeeded', promptTokens: 40, completionTokens: 8 });
      expect(Number(row!.totalCost)).toBeCloseTo((40 * 2.5 + 8 * 10) / 1e6, 12);
      expect(second.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 8 });
      expect((second.usage as unknown as { cost: number }).cost).toBeCloseTo(0.00018, 12);
    });

    it('streams tool calls as delta.tool_calls in OpenAI chunk shape: id, type and name on the first fragment only', async () => {
      upstream.reply(
        openaiChat.toolCallStream([
          weatherCall,
          { id: 'call_bergen', name: 'get_weather', arguments: ['{"city":"Ber', 'gen"}'] },
        ]),
      );
      const stream = await client.chat.completions.create({
        model: 'openai/gpt-4o',
        messages: [{ role: 'user', content: 'Weather in Oslo and Bergen?' }],
        tools: [weatherTool],
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);

      expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: null, refusal: null });
      const toolDeltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
      expect(toolDeltas[0]).toEqual({
        index: 0,
        id: 'call_oslo',
        type: 'function',
        function: { name: 'get_weather', arguments: expect.any(String) },
      });
      const firstOfBergen = toolDeltas.findIndex((delta) => delta.index === 1);
      expect(toolDeltas[firstOfBergen]).toEqual({
        index: 1,
        id: 'call_bergen',
        type: 'function',
        function: { name: 'get_weather', arguments: expect.any(String) },
      });
      for (const [position, delta] of toolDeltas.entries()) {
        if (position === 0 || position === firstOfBergen) continue;
        expect(delta).toEqual({ index: delta.index, function: { arguments: expect.any(String) } });
      }
      const argumentsOf = (index: number) =>
        toolDeltas
          .filter((delta) => delta.index === index)
          .map((delta) => delta.function!.arguments)
          .join('');
      expect(argumentsOf(0)).toBe('{"city":"Oslo"}');
      expect(argumentsOf(1)).toBe('{"city":"Bergen"}');
      const finish = chunks.at(-2)!;
      expect(finish.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }]);
      expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 12 });

      // The stored answer holds both whole calls.
      const turns = await storedTurns(conversationOf(finish));
      expect(turns.at(-1)!.content).toEqual([
        { type: 'tool_call', id: 'call_oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { type: 'tool_call', id: 'call_bergen', name: 'get_weather', arguments: '{"city":"Bergen"}' },
      ]);
    });

    it('assembles streamed calls with chat.completions.stream and its tool-call events', async () => {
      upstream.reply(openaiChat.toolCallStream([weatherCall]));
      const stream = client.chat.completions.stream({
        model: 'openai/gpt-4o',
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
        tools: [weatherTool],
      });
      const done: { name: string; arguments: string }[] = [];
      stream.on('tool_calls.function.arguments.done', (event) =>
        done.push({ name: event.name, arguments: event.arguments }),
      );
      const completion = await stream.finalChatCompletion();
      expect(done).toEqual([{ name: 'get_weather', arguments: '{"city":"Oslo"}' }]);
      expect(completion.choices[0]).toMatchObject({
        finish_reason: 'tool_calls',
        message: {
          tool_calls: [
            {
              id: 'call_oslo',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
            },
          ],
        },
      });
    });

    it('runs a streamed tool loop with runTools and a zod function', async () => {
      upstream.reply(openaiChat.toolCallStream([weatherCall]), openaiChat.stream(['Oslo: ', '7 °C.']));
      const calledWith: unknown[] = [];
      const runner = client.chat.completions.runTools({
        model: 'openai/gpt-4o',
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
        stream: true,
        tools: [
          zodFunction({
            name: 'get_weather',
            description: 'The current weather in a city',
            parameters: z.object({ city: z.string() }),
            function: (args) => {
              calledWith.push(args);
              return { celsius: 7 };
            },
          }),
        ],
      });
      expect(await runner.finalContent()).toBe('Oslo: 7 °C.');
      expect(calledWith).toEqual([{ city: 'Oslo' }]);
      // zodFunction's strict schema, then the result of the call, reached the upstream.
      expect(sent(0).tools).toMatchObject([
        { type: 'function', function: { name: 'get_weather', strict: true } },
      ]);
      expect(sent(1).messages.at(-1)).toEqual({
        role: 'tool',
        tool_call_id: 'call_oslo',
        content: '{"celsius":7}',
      });
    });

    it('parses a structured answer with chat.completions.parse and zodResponseFormat', async () => {
      upstream.reply(openaiChat.stream(['{"city":"Oslo",', '"celsius":7,"sunny":false}']));
      const Weather = z.object({ city: z.string(), celsius: z.number(), sunny: z.boolean() });
      const completion = await client.chat.completions.parse({
        model: 'openai/gpt-4o',
        messages: [{ role: 'user', content: 'Weather in Oslo as JSON' }],
        response_format: zodResponseFormat(Weather, 'weather'),
      });
      expect(completion.choices[0]!.message.parsed).toEqual({ city: 'Oslo', celsius: 7, sunny: false });
      expect(sent(0).response_format).toMatchObject({
        type: 'json_schema',
        json_schema: {
          name: 'weather',
          strict: true,
          schema: { type: 'object', required: ['city', 'celsius', 'sunny'] },
        },
      });
    });

    it('raises BadRequestError naming the tool field for invalid tools, and calls no upstream', async () => {
      const ask = { model: 'openai/gpt-4o', messages: [{ role: 'user' as const, content: 'hi' }] };
      const named = (name: string) => ({ ...weatherTool, function: { ...weatherTool.function, name } });
      const cases: [Record<string, unknown>, string][] = [
        [{ tools: [named('get weather')] }, 'tools.0.function.name'],
        [{ tools: [named('x'.repeat(65))] }, 'tools.0.function.name'],
        [{ tools: [weatherTool, weatherTool] }, 'tools.1.function.name'],
        [
          { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }] },
          'tools.0.function.parameters',
        ],
        [
          { tools: [{ type: 'function', function: { name: 'f', parameters: [] } }] },
          'tools.0.function.parameters',
        ],
        [{ tools: [{ type: 'custom', custom: { name: 'f' } }] }, 'tools.0.type'],
        [
          { tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_time' } } },
          'tool_choice.function.name',
        ],
        [{ tool_choice: 'required' }, 'tool_choice'],
        [{ tools: [weatherTool], tool_choice: 'always' }, 'tool_choice'],
        [{ tools: [weatherTool], parallel_tool_calls: 'yes' }, 'parallel_tool_calls'],
        [
          { tools: [weatherTool], messages: [{ role: 'tool', tool_call_id: 'call_nowhere', content: '{}' }] },
          'messages.0.tool_call_id',
        ],
        [
          {
            messages: [
              { role: 'user', content: 'hi' },
              {
                role: 'assistant',
                content: null,
                tool_calls: [{ id: 'c1', type: 'function', function: { name: 'a b', arguments: '{}' } }],
              },
            ],
          },
          'messages.1.tool_calls.0.function.name',
        ],
        [
          {
            messages: [
              { role: 'user', content: 'hi' },
              { role: 'assistant', content: null },
            ],
          },
          'messages.1.content',
        ],
        [
          { response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'array' } } } },
          'response_format.json_schema.schema',
        ],
        [
          { response_format: { type: 'json_schema', json_schema: { name: 'a b', schema: {} } } },
          'response_format.json_schema.name',
        ],
        [{ functions: [{ name: 'get_weather' }], function_call: 'auto' }, 'functions'],
      ];
      for (const [change, param] of cases) {
        const error = await client.chat.completions
          .create({ ...ask, ...change } as OpenAI.ChatCompletionCreateParamsNonStreaming)
          .catch((caught: unknown) => caught);
        expect(error, param).toBeInstanceOf(BadRequestError);
        expect((error as BadRequestError).param, JSON.stringify(change)).toBe(param);
        expect((error as BadRequestError).message).toContain(param);
      }
      expect(upstream.received).toHaveLength(0);
    });

    it('refuses tools for a model that cannot call them with 422, naming the model', async () => {
      const error = await client.chat.completions
        .create({ model: 'local/echo', messages: [{ role: 'user', content: 'hi' }], tools: [weatherTool] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnprocessableEntityError);
      expect((error as UnprocessableEntityError).message).toMatch(/local\/echo.*cannot call tools/);
    });
  },
);
