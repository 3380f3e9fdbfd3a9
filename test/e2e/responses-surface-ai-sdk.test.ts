import { createOpenAI } from '@ai-sdk/openai';
import { generateText, Output, stepCountIs, streamText, tool } from 'ai';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { messages } from '../../src/db/schema.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

type Body = { messages: Record<string, unknown>[]; [field: string]: unknown };

describe.each(drivers)('the AI SDK’s default OpenAI provider (Responses API) against /v1 on %s', (driver) => {
  let t: TestApp;
  let upstream: Upstream;
  let openai: ReturnType<typeof createOpenAI>;
  /** What the AI SDK sent to Switchyard. */
  const requests: Record<string, unknown>[] = [];

  beforeAll(async () => {
    upstream = await startUpstream();
    t = await startTestApp({
      driver,
      env: { OPENAI_API_KEY: 'sk-openai-test-key', OPENAI_BASE_URL: `${upstream.url}/v1` },
      configFile: { models: [{ id: 'openai/gpt-4o', inputPricePerMTok: 2.5, outputPricePerMTok: 10 }] },
    });
    openai = createOpenAI({
      baseURL: `${t.url}/v1`,
      apiKey: adminKey,
      fetch: async (url, init) => {
        if (typeof init?.body === 'string') requests.push(JSON.parse(init.body));
        return fetch(url, init);
      },
    });
  });
  beforeEach(() => {
    upstream.reset();
    requests.length = 0;
  });
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

  it('runs a multi-step tool loop with generateText; the earlier answer comes back as an item_reference', async () => {
    upstream.reply(
      openaiChat.toolCallStream([{ id: 'call_1', name: 'weather', arguments: ['{"city"', ':"Oslo"}'] }], {
        text: ['Let me check. '],
        usage: { prompt_tokens: 30, completion_tokens: 10 },
      }),
      openaiChat.stream(['Oslo is ', 'at 7 °C.'], { usage: { prompt_tokens: 50, completion_tokens: 6 } }),
    );
    const result = await generateText({
      model: openai('openai/gpt-4o'),
      system: 'You are terse.',
      prompt: 'Weather in Oslo?',
      tools: { weather },
      stopWhen: stepCountIs(3),
    });

    expect(result.text).toBe('Oslo is at 7 °C.');
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolCalls).toMatchObject([
      { toolCallId: 'call_1', toolName: 'weather', input: { city: 'Oslo' } },
    ]);
    expect(result.steps[0]!.finishReason).toBe('tool-calls');
    expect(result.finishReason).toBe('stop');
    expect(result.totalUsage).toMatchObject({ inputTokens: 80, outputTokens: 16 });
    expect(result.response.id).toMatch(/^resp_/);

    // The AI SDK stores by default: it refers to the first answer's text by its item id.
    const firstId = result.steps[0]!.response.id.replace(/^resp_/, '');
    expect(requests[1]!.input).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: [{ type: 'input_text', text: 'Weather in Oslo?' }] },
      { type: 'item_reference', id: `msg_${firstId}` },
      { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"city":"Oslo","celsius":7}' },
    ]);
    expect(sent(1).messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Weather in Oslo?' },
      {
        role: 'assistant',
        content: 'Let me check. ',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"city":"Oslo","celsius":7}' },
    ]);
  });

  it('streams with streamText: text deltas, finish reason, usage and the response id', async () => {
    upstream.reply({
      ...openaiChat.stream(['Routing ', 'picks ', 'a model.'], {
        usage: { prompt_tokens: 11, completion_tokens: 3 },
      }),
      chunkDelayMs: 10,
    });
    const result = streamText({ model: openai('openai/gpt-4o'), prompt: 'Explain LLM routing.' });
    const pieces: string[] = [];
    for await (const piece of result.textStream) pieces.push(piece);

    expect(pieces).toEqual(['Routing ', 'picks ', 'a model.']);
    expect(await result.finishReason).toBe('stop');
    expect(await result.usage).toMatchObject({ inputTokens: 11, outputTokens: 3, totalTokens: 14 });
    const response = await result.response;
    expect(response.id).toMatch(/^resp_/);
    expect(requests[0]).toMatchObject({ model: 'openai/gpt-4o', stream: true });

    await t.settled();
    const turns = await t.db.database.db
      .select({ role: messages.role, content: messages.content })
      .from(messages)
      .where(eq(messages.id, response.id.replace(/^resp_/, '')))
      .orderBy(asc(messages.seq));
    expect(turns).toEqual([
      { role: 'assistant', content: [{ type: 'text', text: 'Routing picks a model.' }] },
    ]);
  });

  it('asks for structured output through text.format', async () => {
    upstream.reply(openaiChat.stream(['{"city":"Oslo","celsius":7}']));
    const { output } = await generateText({
      model: openai('openai/gpt-4o'),
      prompt: 'Weather in Oslo as JSON.',
      output: Output.object({ schema: z.object({ city: z.string(), celsius: z.number() }) }),
    });
    expect(output).toEqual({ city: 'Oslo', celsius: 7 });
    expect(requests[0]!.text).toMatchObject({
      format: { type: 'json_schema', name: 'response', strict: true },
    });
    expect(sent(0).response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'response' } });
  });
});
