import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { completions, messages } from '../../src/db/schema.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

type Body = { messages: Record<string, unknown>[]; [field: string]: unknown };

describe.each(drivers)('the AI SDK (openai-compatible provider) against /v1 on %s', (driver) => {
  let t: TestApp;
  let upstream: Upstream;
  let switchyard: ReturnType<typeof createOpenAICompatible>;

  beforeAll(async () => {
    upstream = await startUpstream();
    t = await startTestApp({
      driver,
      env: { OPENAI_API_KEY: 'sk-openai-test-key', OPENAI_BASE_URL: `${upstream.url}/v1` },
      configFile: { models: [{ id: 'openai/gpt-4o', inputPricePerMTok: 2.5, outputPricePerMTok: 10 }] },
    });
    switchyard = createOpenAICompatible({
      name: 'switchyard',
      baseURL: `${t.url}/v1`,
      apiKey: adminKey,
      includeUsage: true,
      supportsStructuredOutputs: true,
    });
  });
  beforeEach(() => upstream.reset());
  afterAll(async () => {
    await t.close();
    await upstream.close();
  });

  const sent = (index: number) => upstream.received[index]!.body as Body;
  const weather = tool({
    description: 'The current weather in a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, celsius: 7 }),
  });
  const storedTurns = async (conversationId: string) => {
    await t.settled();
    return t.db.database.db
      .select({ role: messages.role, content: messages.content, toolCallId: messages.toolCallId })
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(asc(messages.seq));
  };

  it('runs a multi-step tool loop with generateText and a zod tool; the turns are stored and billed', async () => {
    upstream.reply(
      openaiChat.toolCallStream([{ id: 'call_1', name: 'weather', arguments: ['{"city"', ':"Oslo"}'] }], {
        usage: { prompt_tokens: 30, completion_tokens: 10 },
      }),
      openaiChat.stream(['Oslo is ', 'at 7 °C.'], { usage: { prompt_tokens: 50, completion_tokens: 6 } }),
    );
    const result = await generateText({
      model: switchyard('openai/gpt-4o'),
      tools: { weather },
      stopWhen: stepCountIs(3),
      prompt: 'What is the weather in Oslo?',
    });

    expect(result.text).toBe('Oslo is at 7 °C.');
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.finishReason).toBe('tool-calls');
    expect(result.steps[0]!.toolCalls).toMatchObject([
      { toolCallId: 'call_1', toolName: 'weather', input: { city: 'Oslo' } },
    ]);
    expect(result.steps[0]!.toolResults).toMatchObject([{ output: { city: 'Oslo', celsius: 7 } }]);
    expect(result.totalUsage).toMatchObject({ inputTokens: 80, outputTokens: 16 });

    // The tool's JSON Schema from zod reached the upstream, and the second step carried the result.
    expect(sent(0).tools).toMatchObject([
      { type: 'function', function: { name: 'weather', parameters: { type: 'object', required: ['city'] } } },
    ]);
    expect(sent(1).messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"city":"Oslo","celsius":7}' },
    ]);

    const conversationId = result.steps[1]!.response.headers!['x-switchyard-conversation-id']!;
    expect(await storedTurns(conversationId)).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'What is the weather in Oslo?' }], toolCallId: null },
      {
        role: 'assistant',
        content: [{ type: 'tool_call', id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }],
        toolCallId: null,
      },
      {
        role: 'tool',
        content: [{ type: 'text', text: '{"city":"Oslo","celsius":7}' }],
        toolCallId: 'call_1',
      },
      { role: 'assistant', content: [{ type: 'text', text: 'Oslo is at 7 °C.' }], toolCallId: null },
    ]);
    const [row] = await t.db.database.db
      .select()
      .from(completions)
      .where(eq(completions.conversationId, conversationId));
    expect(row).toMatchObject({ status: 'succeeded', promptTokens: 50, completionTokens: 6 });
    expect(Number(row!.totalCost)).toBeCloseTo((50 * 2.5 + 6 * 10) / 1e6, 12);
  });

  it('streams a tool loop with streamText: tool input deltas, the call, its result, then the text', async () => {
    upstream.reply(
      openaiChat.toolCallStream([{ id: 'call_2', name: 'weather', arguments: ['{"ci', 'ty":"Bergen"}'] }]),
      openaiChat.stream(['Rain ', 'in Bergen.']),
    );
    const result = streamText({
      model: switchyard('openai/gpt-4o'),
      tools: { weather },
      stopWhen: stepCountIs(3),
      prompt: 'Weather in Bergen?',
    });
    const parts: { type: string; [field: string]: unknown }[] = [];
    for await (const part of result.fullStream) parts.push(part);

    const types = parts.map((part) => part.type);
    for (const type of ['tool-input-start', 'tool-input-delta', 'tool-call', 'tool-result', 'text-delta'])
      expect(types).toContain(type);
    expect(types.indexOf('tool-result')).toBeLessThan(types.indexOf('text-delta'));
    expect(parts.find((part) => part.type === 'tool-call')).toMatchObject({
      toolCallId: 'call_2',
      toolName: 'weather',
      input: { city: 'Bergen' },
    });
    expect(
      parts
        .filter((part) => part.type === 'tool-input-delta')
        .map((part) => part.delta)
        .join(''),
    ).toBe('{"city":"Bergen"}');
    expect(await result.text).toBe('Rain in Bergen.');
    expect((await result.steps).map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(sent(1).messages.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'call_2',
      content: '{"city":"Bergen","celsius":7}',
    });
  });

  it('generates an object with generateObject and a zod schema, sent as a json_schema response format', async () => {
    upstream.reply(openaiChat.stream(['{"city":"Oslo","days":', '[{"day":"Mon","celsius":7}]}']));
    const { object, usage } = await generateObject({
      model: switchyard('openai/gpt-4o'),
      schema: z.object({
        city: z.string(),
        days: z.array(z.object({ day: z.string(), celsius: z.number() })),
      }),
      prompt: 'A forecast for Oslo',
    });
    expect(object).toEqual({ city: 'Oslo', days: [{ day: 'Mon', celsius: 7 }] });
    expect(usage.inputTokens).toBe(12);
    expect(sent(0).response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'response', strict: true, schema: { type: 'object', required: ['city', 'days'] } },
    });
  });
});
