import Anthropic from '@anthropic-ai/sdk';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema.js';
import { queryData } from '../support/graphql.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { anthropicMessages } from '../upstreams/anthropic-messages.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import {
  sseEvent,
  sseHeaders,
  startUpstream,
  type Upstream,
  type UpstreamReply,
} from '../upstreams/scripted-upstream.js';

/** SPEC §6 and §8 on the Anthropic surface: tools, thinking and web search, through the official client. */

const prices = { inputPricePerMTok: 0.5, outputPricePerMTok: 4 };
const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

const openaiChunk = (delta: unknown, finishReason: string | null = null, usage: unknown = null) =>
  sseEvent({
    id: 'chatcmpl-anthropic-surface',
    object: 'chat.completion.chunk',
    created: 1_764_000_000,
    model: 'gpt-4o-2024-08-06',
    choices: usage ? [] : [{ index: 0, delta, finish_reason: finishReason }],
    usage,
  });

/** An OpenAI-format upstream calling get_weather, its arguments in three pieces. */
const openaiWeatherCall: UpstreamReply = {
  headers: sseHeaders,
  chunks: [
    openaiChunk({
      role: 'assistant',
      content: null,
      tool_calls: [
        { index: 0, id: 'call_oslo', type: 'function', function: { name: 'get_weather', arguments: '' } },
      ],
    }),
    openaiChunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
    openaiChunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Os' } }] }),
    openaiChunk({ tool_calls: [{ index: 0, function: { arguments: 'lo"}' } }] }),
    openaiChunk({}, 'tool_calls'),
    openaiChunk(null, null, { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 }),
    sseEvent('[DONE]'),
  ],
};

const anthropicEvent = (type: string, body: Record<string, unknown> = {}) =>
  sseEvent({ type, ...body }, type);

/** An Anthropic-format upstream answer of the given blocks, each streamed in its pieces. */
function anthropicBlocks(
  blocks: (
    | { type: 'thinking'; pieces: string[]; signature: string }
    | { type: 'text'; pieces: string[] }
    | { type: 'tool_use'; id: string; name: string; pieces: string[] }
  )[],
  stopReason: string,
  usage = { input_tokens: 30, output_tokens: 20 },
): UpstreamReply {
  const chunks = [
    anthropicEvent('message_start', {
      message: {
        id: 'msg_upstream',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage.input_tokens, output_tokens: 1 },
      },
    }),
  ];
  for (const [index, block] of blocks.entries()) {
    const start =
      block.type === 'thinking'
        ? { type: 'thinking', thinking: '', signature: '' }
        : block.type === 'text'
          ? { type: 'text', text: '' }
          : { type: 'tool_use', id: block.id, name: block.name, input: {} };
    chunks.push(anthropicEvent('content_block_start', { index, content_block: start }));
    for (const piece of block.pieces) {
      const delta =
        block.type === 'thinking'
          ? { type: 'thinking_delta', thinking: piece }
          : block.type === 'text'
            ? { type: 'text_delta', text: piece }
            : { type: 'input_json_delta', partial_json: piece };
      chunks.push(anthropicEvent('content_block_delta', { index, delta }));
    }
    if (block.type === 'thinking')
      chunks.push(
        anthropicEvent('content_block_delta', {
          index,
          delta: { type: 'signature_delta', signature: block.signature },
        }),
      );
    chunks.push(anthropicEvent('content_block_stop', { index }));
  }
  chunks.push(
    anthropicEvent('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }),
    anthropicEvent('message_stop'),
  );
  return { headers: sseHeaders, chunks };
}

describe.each(drivers)('tools and thinking on the Anthropic surface on %s', (driver) => {
  let t: TestApp;
  let openai: Upstream;
  let anthropic: Upstream;
  let client: Anthropic;

  beforeAll(async () => {
    openai = await startUpstream();
    anthropic = await startUpstream();
    t = await startTestApp({
      driver,
      random: () => 0,
      env: {
        OPENAI_API_KEY: 'sk-openai-test',
        OPENAI_BASE_URL: `${openai.url}/v1`,
        ANTHROPIC_API_KEY: 'sk-ant-test',
        ANTHROPIC_BASE_URL: `${anthropic.url}/v1`,
      },
      configFile: {
        models: [
          { id: 'openai/gpt-4o', ...prices },
          { id: 'anthropic/claude-sonnet-4-5', ...prices },
        ],
      },
    });
    client = new Anthropic({ baseURL: t.url, apiKey: adminKey, maxRetries: 0 });
  });
  beforeEach(() => {
    openai.reset();
    anthropic.reset();
  });
  afterAll(async () => {
    await t?.close();
    await openai?.close();
    await anthropic?.close();
  });

  it('runs a tool loop: tool_use, then tool_result, then the final answer, all stored', async () => {
    openai.reply(openaiWeatherCall, openaiChat.stream(['Sunny in Oslo.']));
    const question = { role: 'user' as const, content: 'Weather in Oslo?' };
    const first = await client.messages.create({
      model: 'openai/gpt-4o',
      max_tokens: 100,
      messages: [question],
      tools: [weatherTool],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([
      { type: 'tool_use', id: 'call_oslo', name: 'get_weather', input: { city: 'Oslo' } },
    ]);
    expect(first.usage).toMatchObject({ input_tokens: 40, output_tokens: 12 });
    const sentFirst = openai.received[0]!.body as Record<string, unknown>;
    expect(sentFirst.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: weatherTool.description,
          parameters: weatherTool.input_schema,
        },
      },
    ]);
    expect(sentFirst).toMatchObject({ tool_choice: 'required', parallel_tool_calls: false });

    const answer = await client.messages.create({
      model: 'openai/gpt-4o',
      max_tokens: 100,
      tools: [weatherTool],
      messages: [
        question,
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_oslo', content: '{"sky":"clear"}' },
            { type: 'text', text: 'Answer in three words.' },
          ],
        },
      ],
    });
    expect(answer.content).toEqual([{ type: 'text', text: 'Sunny in Oslo.', citations: null }]);
    expect(answer.stop_reason).toBe('end_turn');
    expect((openai.received[1]!.body as { messages: unknown[] }).messages).toEqual([
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
      { role: 'user', content: 'Answer in three words.' },
    ]);

    // The second request is a conversation of its own (the client sent the whole history).
    const conversationId = (answer as unknown as { switchyard: { conversation_id: string } }).switchyard
      .conversation_id;
    await t.settled();
    const { conversation } = await queryData<{
      conversation: {
        messages: { role: string; toolCallId: string | null; content: Record<string, unknown>[] }[];
      };
    }>(
      t.url,
      `query($id: ID!) { conversation(id: $id) { messages { role toolCallId content { type text id name arguments } } } }`,
      { id: conversationId },
    );
    expect(conversation.messages.map((turn) => turn.role)).toEqual([
      'USER',
      'ASSISTANT',
      'TOOL',
      'USER',
      'ASSISTANT',
    ]);
    expect(conversation.messages[1]!.content[0]).toMatchObject({
      type: 'TOOL_CALL',
      id: 'call_oslo',
      name: 'get_weather',
      arguments: '{"city":"Oslo"}',
    });
    expect(conversation.messages[2]).toMatchObject({
      toolCallId: 'call_oslo',
      content: [{ text: '{"sky":"clear"}' }],
    });
  });

  it('streams a tool call as input_json_delta fragments the client assembles', async () => {
    openai.reply(openaiWeatherCall);
    const stream = client.messages.stream({
      model: 'openai/gpt-4o',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [weatherTool],
    });
    const fragments: string[] = [];
    stream.on('inputJson', (partial) => fragments.push(partial));
    const message = await stream.finalMessage();
    expect(fragments.join('')).toBe('{"city":"Oslo"}');
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_oslo', name: 'get_weather', input: { city: 'Oslo' } },
    ]);
    expect(message.usage).toMatchObject({ input_tokens: 40, output_tokens: 12 });
  });

  it('continues a conversation by conversation_id with only the tool result', async () => {
    openai.reply(openaiWeatherCall, openaiChat.stream(['Clear skies.']));
    const first = await client.messages.create({
      model: 'openai/gpt-4o',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [weatherTool],
    });
    const conversationId = (first as unknown as { switchyard: { conversation_id: string } }).switchyard
      .conversation_id;
    const second = await client.messages.create({
      model: 'openai/gpt-4o',
      max_tokens: 100,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_oslo', content: 'clear' }] },
      ],
      // Switchyard's own field, in the surface's snake_case.
      ...({ conversation_id: conversationId } as object),
    });
    expect(second.content).toMatchObject([{ type: 'text', text: 'Clear skies.' }]);
    await t.settled();
    const turns = await t.db.database.db
      .select({ role: messages.role, toolCallId: messages.toolCallId })
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(messages.seq);
    expect(turns).toEqual([
      { role: 'user', toolCallId: null },
      { role: 'assistant', toolCallId: null },
      { role: 'tool', toolCallId: 'call_oslo' },
      { role: 'assistant', toolCallId: null },
    ]);
  });

  it('answers thinking from an Anthropic-format upstream with its signature, streamed and not', async () => {
    const reply = () =>
      anthropicBlocks(
        [
          { type: 'thinking', pieces: ['Oslo is ', 'in Norway.'], signature: 'sig-abc' },
          { type: 'text', pieces: ['Norway.'] },
        ],
        'end_turn',
      );
    anthropic.reply(reply(), reply());
    const request = {
      model: 'anthropic/claude-sonnet-4-5',
      max_tokens: 4096,
      thinking: { type: 'enabled' as const, budget_tokens: 2048 },
      messages: [{ role: 'user' as const, content: 'Where is Oslo?' }],
    };
    const message = await client.messages.create(request);
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Oslo is in Norway.', signature: 'sig-abc' },
      { type: 'text', text: 'Norway.', citations: null },
    ]);
    const sent = anthropic.received[0]!.body as Record<string, unknown>;
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });

    const stream = client.messages.stream(request);
    const seen: string[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta') seen.push(`${event.index}:${event.delta.type}`);
      if (event.type === 'content_block_stop') seen.push(`${event.index}:stop`);
    });
    const streamed = await stream.finalMessage();
    expect(streamed.content).toEqual([
      { type: 'thinking', thinking: 'Oslo is in Norway.', signature: 'sig-abc' },
      { type: 'text', text: 'Norway.' },
    ]);
    // As Anthropic streams it: the signature closes its thinking block, before the text block.
    expect(seen.slice(0, 4)).toEqual(['0:thinking_delta', '0:thinking_delta', '0:signature_delta', '0:stop']);
  });

  it('takes thinking blocks back in assistant turns, with their signature, and a tool loop on Anthropic', async () => {
    anthropic.reply(
      anthropicBlocks(
        [
          { type: 'thinking', pieces: ['Need weather.'], signature: 'sig-1' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', pieces: ['{"city":', '"Oslo"}'] },
        ],
        'tool_use',
      ),
      anthropicBlocks([{ type: 'text', pieces: ['Clear.'] }], 'end_turn'),
    );
    const base = {
      model: 'anthropic/claude-sonnet-4-5',
      max_tokens: 4096,
      thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      tools: [weatherTool],
    };
    const question = { role: 'user' as const, content: 'Weather in Oslo?' };
    const first = await client.messages.create({ ...base, messages: [question] });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([
      { type: 'thinking', thinking: 'Need weather.', signature: 'sig-1' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } },
    ]);
    const answer = await client.messages.create({
      ...base,
      messages: [
        question,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'clear' }] },
      ],
    });
    expect(answer.content).toMatchObject([{ type: 'text', text: 'Clear.' }]);
    const history = (anthropic.received[1]!.body as { messages: { role: string; content: unknown[] }[] })
      .messages;
    expect(history[1]!.content).toEqual([
      { type: 'thinking', thinking: 'Need weather.', signature: 'sig-1' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } },
    ]);
    expect(history[2]!.content).toMatchObject([{ type: 'tool_result', tool_use_id: 'toolu_1' }]);
  });

  it('passes arguments that are not a JSON object through untouched, listing them in the switchyard object', async () => {
    openai.reply({
      headers: sseHeaders,
      chunks: [
        openaiChunk({
          role: 'assistant',
          tool_calls: [
            {
              index: 0,
              id: 'call_bad',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":' },
            },
          ],
        }),
        openaiChunk({}, 'tool_calls'),
        sseEvent('[DONE]'),
      ],
    });
    const message = await client.messages.create({
      model: 'openai/gpt-4o',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [weatherTool],
    });
    expect(message.content).toEqual([{ type: 'tool_use', id: 'call_bad', name: 'get_weather', input: {} }]);
    expect((message as unknown as { switchyard: unknown }).switchyard).toMatchObject({
      unparsed_tool_inputs: [{ id: 'call_bad', arguments: '{"city":' }],
    });
  });

  it('reports a cut answer as max_tokens', async () => {
    openai.reply(openaiChat.stream(['Once upon'], { finishReason: 'length' }));
    const message = await client.messages.create({
      model: 'openai/gpt-4o',
      max_tokens: 2,
      messages: [{ role: 'user', content: 'Tell a story.' }],
    });
    expect(message.stop_reason).toBe('max_tokens');
    expect((openai.received[0]!.body as { max_tokens: number }).max_tokens).toBe(2);
  });

  it("maps the web_search server tool to a grounded answer, by the provider's own search", async () => {
    anthropic.reply(anthropicMessages.stream(['Pogačar won.']));
    const message = await client.messages.create({
      model: 'anthropic/claude-sonnet-4-5',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Who won the Tour?' }],
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }],
    });
    expect(message.content).toMatchObject([{ type: 'text', text: 'Pogačar won.' }]);
    expect((anthropic.received[0]!.body as { tools: unknown }).tools).toEqual([
      { type: 'web_search_20250305', name: 'web_search' },
    ]);
  });

  it('asks for structured output with output_config.format, and reasoning with adaptive thinking', async () => {
    openai.reply(openaiChat.stream(['{"city":"Oslo"}']));
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const message = await client.messages.create({
      model: 'openai/gpt-4o',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Which city?' }],
      output_config: { format: { type: 'json_schema', schema } },
    });
    expect(message.content).toMatchObject([{ type: 'text', text: '{"city":"Oslo"}' }]);
    const sent = openai.received[0]!.body as { response_format: { type: string; json_schema: unknown } };
    expect(sent.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'output', schema },
    });

    anthropic.reply(anthropicBlocks([{ type: 'text', pieces: ['Oslo.'] }], 'end_turn'));
    await client.messages.create({
      model: 'anthropic/claude-sonnet-4-5',
      max_tokens: 8192,
      messages: [{ role: 'user', content: 'Which city?' }],
      thinking: { type: 'adaptive' },
      output_config: { effort: 'high' },
    });
    expect((anthropic.received[0]!.body as { thinking?: { type: string } }).thinking).toMatchObject({
      type: 'enabled',
    });
  });
});
