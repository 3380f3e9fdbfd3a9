import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readSseEvents } from '../support/sse.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { anthropicMessages } from '../upstreams/anthropic-messages.js';
import { gemini } from '../upstreams/gemini.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

/**
 * SPEC §6 and §7 across providers through REST: tool loops on Anthropic- and Gemini-format
 * upstreams, a tool conversation begun on one provider and continued on another, structured
 * output on each, and Anthropic's signed thinking sent back in a tool loop.
 */

const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const models = {
  openai: 'openai/gpt-4o',
  anthropic: 'anthropic/claude-sonnet-4-5',
  google: 'google/gemini-2.5-flash',
} as const;

type Body = Record<string, unknown>;

describe.each(drivers)('tool conversations across providers on %s', (driver) => {
  let t: TestApp;
  const upstreams = {} as Record<keyof typeof models, Upstream>;

  beforeAll(async () => {
    for (const name of ['openai', 'anthropic', 'google'] as const) upstreams[name] = await startUpstream();
    t = await startTestApp({
      driver,
      env: {
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: `${upstreams.openai.url}/v1`,
        ANTHROPIC_API_KEY: 'sk-ant-test',
        ANTHROPIC_BASE_URL: `${upstreams.anthropic.url}/v1`,
        GEMINI_API_KEY: 'gemini-test',
        GEMINI_BASE_URL: `${upstreams.google.url}/v1beta`,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    for (const upstream of Object.values(upstreams)) await upstream.close();
  });
  beforeEach(() => {
    for (const upstream of Object.values(upstreams)) upstream.reset();
  });

  const complete = async (body: Body) => {
    const response = await t.post('/api/v1/completions', {
      tools: [weatherTool],
      strategy: 'ordered',
      ...body,
    });
    expect(response.status).toBe(200);
    return (await response.json()) as {
      conversationId: string;
      finishReason: string;
      message: { content: Record<string, unknown>[] };
      usage: { completionTokens: number };
    };
  };
  const ask = { role: 'user', content: 'Weather in Oslo?' };

  it('runs a tool loop on an Anthropic-format upstream: tool_use, then tool_result, then the answer', async () => {
    upstreams.anthropic.reply(
      anthropicMessages.toolCalls([{ id: 'toolu_oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' }]),
      anthropicMessages.stream(['Sunny in Oslo.']),
    );
    const call = await complete({ models: [models.anthropic], messages: [ask], toolChoice: 'required' });
    expect(call.finishReason).toBe('tool_calls');
    expect(call.message.content).toEqual([
      { type: 'tool_call', id: 'toolu_oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    ]);
    const first = upstreams.anthropic.received[0]!.body as Body;
    expect(first.tools).toMatchObject([
      { name: 'get_weather', description: 'The weather in a city', input_schema: weatherTool.parameters },
    ]);
    expect(first.tool_choice).toEqual({ type: 'any' });

    const answer = await complete({
      models: [models.anthropic],
      conversationId: call.conversationId,
      messages: [{ role: 'tool', toolCallId: 'toolu_oslo', content: '{"sky":"clear"}' }],
    });
    expect(answer.message.content).toEqual([{ type: 'text', text: 'Sunny in Oslo.' }]);
    const second = upstreams.anthropic.received[1]!.body as { messages: { role: string; content: Body[] }[] };
    expect(second.messages.at(-2)).toMatchObject({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_oslo', name: 'get_weather', input: { city: 'Oslo' } }],
    });
    expect(second.messages.at(-1)).toMatchObject({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_oslo' }],
    });
  });

  it('runs a tool loop on a Gemini-format upstream, with made-up call ids and results matched by name', async () => {
    upstreams.google.reply(
      gemini.functionCalls([{ name: 'get_weather', args: { city: 'Oslo' } }]),
      gemini.stream(['Sunny in Oslo.']),
    );
    const call = await complete({
      models: [models.google],
      messages: [ask],
      toolChoice: { name: 'get_weather' },
    });
    expect(call.finishReason).toBe('tool_calls');
    const [part] = call.message.content;
    expect(part).toMatchObject({ type: 'tool_call', name: 'get_weather', arguments: '{"city":"Oslo"}' });
    const id = part!.id as string;
    expect(id).toMatch(/^[a-zA-Z0-9_-]+$/);
    const first = upstreams.google.received[0]!.body as Body;
    expect(first.tools).toEqual([
      { functionDeclarations: [expect.objectContaining({ name: 'get_weather' })] },
    ]);
    expect(first.toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] },
    });

    await complete({
      models: [models.google],
      conversationId: call.conversationId,
      messages: [{ role: 'tool', toolCallId: id, content: '{"sky":"clear"}' }],
    });
    const second = upstreams.google.received[1]!.body as { contents: { role: string; parts: Body[] }[] };
    expect(second.contents.at(-2)).toMatchObject({
      role: 'model',
      parts: [{ functionCall: { name: 'get_weather', args: { city: 'Oslo' } } }],
    });
    expect(second.contents.at(-1)).toMatchObject({
      role: 'user',
      parts: [{ functionResponse: { name: 'get_weather' } }],
    });
  });

  it('continues a tool conversation begun on OpenAI on Anthropic and on Gemini, ids and formats translated', async () => {
    upstreams.openai.reply(
      openaiChat.toolCallStream([{ id: 'call_oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' }]),
    );
    const call = await complete({ models: [models.openai], messages: [ask] });
    expect(call.message.content[0]).toMatchObject({ id: 'call_oslo' });

    // The result goes to Anthropic: the OpenAI call becomes a tool_use with the same id.
    upstreams.anthropic.reply(anthropicMessages.stream(['Sunny.']));
    await complete({
      models: [models.anthropic],
      conversationId: call.conversationId,
      messages: [{ role: 'tool', toolCallId: 'call_oslo', content: '{"sky":"clear"}' }],
    });
    const anthropic = upstreams.anthropic.received[0]!.body as {
      messages: { role: string; content: Body[] }[];
    };
    expect(anthropic.messages.map((m) => m.content.map((c) => c.type))).toEqual([
      ['text'],
      ['tool_use'],
      ['tool_result'],
    ]);
    expect(anthropic.messages[1]!.content[0]).toMatchObject({ id: 'call_oslo', input: { city: 'Oslo' } });
    expect(anthropic.messages[2]!.content[0]).toMatchObject({ tool_use_id: 'call_oslo' });

    // The next turn goes to Gemini, which has no call ids: its function response is matched by name.
    upstreams.google.reply(gemini.stream(['Still sunny.']));
    await complete({
      models: [models.google],
      conversationId: call.conversationId,
      messages: [{ role: 'user', content: 'And tomorrow?' }],
    });
    const google = upstreams.google.received[0]!.body as { contents: { role: string; parts: Body[] }[] };
    expect(google.contents.map((c) => c.role)).toEqual(['user', 'model', 'user', 'model', 'user']);
    expect(google.contents[1]!.parts[0]).toMatchObject({ functionCall: { name: 'get_weather' } });
    expect(google.contents[2]!.parts[0]).toMatchObject({ functionResponse: { name: 'get_weather' } });
  });

  it('falls back mid-routing from a failing OpenAI model to Gemini with the tool conversation intact', async () => {
    upstreams.openai.reply(
      openaiChat.toolCallStream([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }]),
    );
    const call = await complete({ models: [models.openai], messages: [ask] });
    upstreams.openai.reply({
      status: 503,
      headers: { 'content-type': 'application/json' },
      chunks: ['{"error":{"message":"down"}}'],
    });
    upstreams.google.reply(gemini.stream(['Sunny in Oslo.']));
    const answer = await complete({
      models: [models.openai],
      fallback_models: [models.google],
      maxRetries: 0,
      conversationId: call.conversationId,
      messages: [{ role: 'tool', toolCallId: 'call_1', content: '{"sky":"clear"}' }],
    });
    expect(answer.message.content).toEqual([{ type: 'text', text: 'Sunny in Oslo.' }]);
    const google = upstreams.google.received[0]!.body as { contents: { parts: Body[] }[] };
    expect(google.contents.at(-1)!.parts[0]).toMatchObject({ functionResponse: { name: 'get_weather' } });
  });

  it('asks each provider for a json_schema answer in its own way', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, celsius: { type: 'number' } },
      required: ['city', 'celsius'],
      additionalProperties: false,
    };
    const responseFormat = { type: 'json_schema', name: 'weather', schema };
    upstreams.google.reply(gemini.stream(['{"city":"Oslo",', '"celsius":21}']));
    const fromGemini = await complete({
      models: [models.google],
      messages: [ask],
      tools: undefined,
      responseFormat,
    });
    expect(JSON.parse(fromGemini.message.content[0]!.text as string)).toEqual({ city: 'Oslo', celsius: 21 });
    const config = (upstreams.google.received[0]!.body as { generationConfig: Body }).generationConfig;
    expect(config.responseMimeType).toBe('application/json');
    expect(config.responseSchema ?? config.responseJsonSchema).toBeDefined();

    upstreams.anthropic.reply(anthropicMessages.stream(['{"city":"Oslo","celsius":21}']));
    const fromAnthropic = await complete({
      models: [models.anthropic],
      messages: [ask],
      tools: undefined,
      responseFormat,
    });
    expect(JSON.parse(fromAnthropic.message.content[0]!.text as string)).toEqual({
      city: 'Oslo',
      celsius: 21,
    });
    const sent = upstreams.anthropic.received[0]!.body as Body;
    // Natively (output_format) where the model has it, else through a forced tool.
    expect(JSON.stringify(sent.output_format ?? sent.output_config ?? sent.tools)).toContain('celsius');
  });

  it('streams Anthropic thinking as reasoning and sends it back, signed, in the tool loop', async () => {
    upstreams.anthropic.reply(
      anthropicMessages.blocks([
        { type: 'thinking', pieces: ['I should ', 'look it up.'], signature: 'sig-abc' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', pieces: ['{"city":', '"Oslo"}'] },
      ]),
      anthropicMessages.stream(['Sunny.']),
    );
    const response = await t.post('/api/v1/completions', {
      models: [models.anthropic],
      messages: [ask],
      tools: [weatherTool],
      reasoning: { effort: 'low' },
      stream: true,
    });
    const events = await readSseEvents(response);
    expect(
      events
        .filter((e) => e.type === 'reasoning')
        .map((e) => e.text)
        .join(''),
    ).toBe('I should look it up.');
    const done = events.at(-1) as { conversationId: string; message: { content: Body[] } };
    expect(done.message.content.map((part) => part.type)).toEqual(['reasoning', 'tool_call']);
    const first = upstreams.anthropic.received[0]!.body as Body;
    expect(first.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });

    await complete({
      models: [models.anthropic],
      conversationId: done.conversationId,
      messages: [{ role: 'tool', toolCallId: 'toolu_1', content: '{"sky":"clear"}' }],
      reasoning: { effort: 'low' },
    });
    const second = upstreams.anthropic.received[1]!.body as { messages: { role: string; content: Body[] }[] };
    expect(second.messages.at(-2)!.content).toMatchObject([
      { type: 'thinking', thinking: 'I should look it up.', signature: 'sig-abc' },
      { type: 'tool_use', id: 'toolu_1' },
    ]);
  });
});
