import Anthropic from '@anthropic-ai/sdk';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completions } from '../../src/db/schema.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { anthropicMessages } from '../upstreams/anthropic-messages.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

/** SPEC §8: the Anthropic Messages surface, driven by the official client, over both upstream formats. */

const prices = { inputPricePerMTok: 0.5, outputPricePerMTok: 4 };
const dollars = (input: number, output: number) => input * 0.5e-6 + output * 4e-6;

const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};
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

  it('counts tokens with our tokenizer, calling no upstream and storing nothing', async () => {
    // Earlier answers may still be in the write queue.
    await t.settled();
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
