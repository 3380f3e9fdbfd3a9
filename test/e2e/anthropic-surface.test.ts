import Anthropic from '@anthropic-ai/sdk';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completions, messages } from '../../src/db/schema.js';
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

/** SPEC §8: the Anthropic Messages surface, driven by the official client, over both upstream formats. */

const prices = { inputPricePerMTok: 0.5, outputPricePerMTok: 4 };
const dollars = (input: number, output: number) => input * 0.5e-6 + output * 4e-6;

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

/** The event names of an SSE body, in order. */
async function eventNames(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim().length > 0)
    .map((block) => /^event: (.+)$/m.exec(block)?.[1] ?? '(none)');
}

describe.each(drivers)('the Anthropic Messages surface on %s', (driver) => {
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

  const storedCompletion = async (conversationId: string) => {
    await t.settled();
    const rows = await t.db.database.db
      .select()
      .from(completions)
      .where(eq(completions.conversationId, conversationId));
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  it.each([
    [
      'openai/gpt-4o',
      () => openai,
      openaiChat.stream(['Routing ', 'picks a model.'], {
        usage: { prompt_tokens: 120, completion_tokens: 80 },
      }),
    ],
    [
      'anthropic/claude-sonnet-4-5',
      () => anthropic,
      anthropicMessages.stream(['Routing ', 'picks a model.'], {
        usage: { input_tokens: 120, output_tokens: 80 },
      }),
    ],
  ] as const)(
    'answers messages.create through %s, with system, usage, the cost and what it stored',
    async (model, upstream, reply) => {
      upstream().reply(reply);
      const message = await client.messages.create({
        model,
        max_tokens: 256,
        system: 'You are terse.',
        messages: [{ role: 'user', content: 'Explain LLM routing.' }],
        // Not in this client's types any more, but still Anthropic's API (and ours).
        ...({ temperature: 0.2 } as object),
        metadata: { user_id: 'user-1' },
      });
      expect(message).toMatchObject({
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: 'Routing picks a model.' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 120, output_tokens: 80, cache_read_input_tokens: 0 },
      });
      expect(message.id).toMatch(/^msg_/);
      const extension = (message as unknown as { switchyard: Record<string, unknown> }).switchyard;
      expect(extension).toMatchObject({
        provider: model.split('/')[0],
        costs: { total_tokens_cost: 0.00038 },
        attempts: [{ outcome: 'succeeded' }],
        dropped_parameters: [],
      });

      const sent = JSON.stringify(upstream().received[0]!.body);
      expect(sent).toContain('You are terse.');
      expect(sent).toContain('Explain LLM routing.');
      const stored = await storedCompletion(extension.conversation_id as string);
      expect(stored).toMatchObject({
        status: 'succeeded',
        promptTokens: 120,
        completionTokens: 80,
        stream: false,
      });
      expect(Number(stored.totalCost)).toBeCloseTo(dollars(120, 80), 12);
    },
  );

  it.each([
    [
      'openai/gpt-4o',
      () => openai,
      openaiChat.stream(['Hel', 'lo ', 'there.'], { usage: { prompt_tokens: 9, completion_tokens: 3 } }),
    ],
    [
      'anthropic/claude-sonnet-4-5',
      () => anthropic,
      anthropicMessages.stream(['Hel', 'lo ', 'there.'], { usage: { input_tokens: 9, output_tokens: 3 } }),
    ],
  ] as const)(
    'streams through %s: text deltas, then the final message with its usage',
    async (model, upstream, reply) => {
      upstream().reply(reply);
      const stream = client.messages.stream({
        model,
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Say hello.' }],
      });
      const deltas: string[] = [];
      stream.on('text', (text) => deltas.push(text));
      const message = await stream.finalMessage();
      expect(deltas.join('')).toBe('Hello there.');
      expect(message).toMatchObject({
        model,
        content: [{ type: 'text', text: 'Hello there.' }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 9, output_tokens: 3 },
      });
    },
  );

  it("streams exactly Anthropic's event sequence, with event names", async () => {
    // Spaced out, so that each piece is a delta of its own.
    openai.reply({ ...openaiChat.stream(['One ', 'two.']), chunkDelayMs: 20 });
    const response = await fetch(`${t.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': adminKey,
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({
        model: 'openai/gpt-4o',
        max_tokens: 32,
        stream: true,
        messages: [{ role: 'user', content: 'Count.' }],
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('request-id')).toBeTruthy();
    expect(await eventNames(response)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
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

    const streamed = await client.messages.stream(request).finalMessage();
    expect(streamed.content).toEqual([
      { type: 'thinking', thinking: 'Oslo is in Norway.', signature: 'sig-abc' },
      { type: 'text', text: 'Norway.' },
    ]);
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

  it('counts tokens with our tokenizer, calling no upstream and storing nothing', async () => {
    const before = await t.db.database.db.select({ id: completions.id }).from(completions);
    const small = await client.messages.countTokens({
      model: 'openai/gpt-4o',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    const larger = await client.messages.countTokens({
      model: 'anthropic/claude-sonnet-4-5',
      system: 'You are a weather assistant.',
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(small.input_tokens).toBeGreaterThan(0);
    expect(larger.input_tokens).toBeGreaterThan(small.input_tokens + 10);
    expect(openai.received).toHaveLength(0);
    expect(anthropic.received).toHaveLength(0);
    await t.settled();
    const after = await t.db.database.db.select({ id: completions.id }).from(completions);
    expect(after).toHaveLength(before.length);
  });

  it('maps images, stop sequences and sampling onto the upstream request', async () => {
    openai.reply(openaiChat.stream(['A dot.']));
    await client.messages.create({
      model: 'openai/gpt-4o',
      max_tokens: 50,
      stop_sequences: ['END'],
      ...({ top_p: 0.9 } as object),
      system: [{ type: 'text', text: 'Describe images.' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });
    const sent = openai.received[0]!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ max_tokens: 50, stop: ['END'], top_p: 0.9 });
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Describe images.' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          { type: 'text', text: 'What is this?' },
        ],
      },
    ]);
  });
});
