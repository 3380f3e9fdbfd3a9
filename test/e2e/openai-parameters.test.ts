import { asc, eq } from 'drizzle-orm';
import OpenAI, { BadRequestError, UnprocessableEntityError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { anthropicMessages } from '../upstreams/anthropic-messages.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

type Body = Record<string, unknown>;
interface Extension {
  conversation_id: string;
  dropped_parameters: { parameter: string; reason: string }[];
}
const extensionOf = (completion: object) => (completion as { switchyard: Extension }).switchyard;
/** Switchyard's own fields, sent as extra body parameters (the client's types do not know them). */
const extra = (fields: Body) => fields as object;

describe.each(drivers)('sampling and reasoning parameters on /v1/chat/completions on %s', (driver) => {
  let t: TestApp;
  let client: OpenAI;
  const upstreams = {} as Record<'openai' | 'anthropic' | 'deepseek', Upstream>;

  beforeAll(async () => {
    for (const name of ['openai', 'anthropic', 'deepseek'] as const) upstreams[name] = await startUpstream();
    t = await startTestApp({
      driver,
      env: {
        OPENAI_API_KEY: 'sk-openai-test-key',
        OPENAI_BASE_URL: `${upstreams.openai.url}/v1`,
        ANTHROPIC_API_KEY: 'sk-ant-test-key',
        ANTHROPIC_BASE_URL: `${upstreams.anthropic.url}/v1`,
        DEEPSEEK_API_KEY: 'sk-deepseek-test-key',
        DEEPSEEK_BASE_URL: `${upstreams.deepseek.url}/v1`,
      },
    });
    client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: adminKey, maxRetries: 0 });
  });
  beforeEach(() => {
    for (const upstream of Object.values(upstreams)) upstream.reset();
  });
  afterAll(async () => {
    await t.close();
    for (const upstream of Object.values(upstreams)) await upstream.close();
  });

  const sentTo = (name: keyof typeof upstreams) => upstreams[name].received[0]!.body as Body;
  const question = [{ role: 'user' as const, content: 'Explain LLM routing.' }];

  it('passes every sampling parameter to an OpenAI model under its own name, and drops none', async () => {
    upstreams.openai.reply(openaiChat.stream(['Routing ', 'explained.']));
    const { data: completion, response } = await client.chat.completions
      .create({
        model: 'openai/gpt-4o',
        messages: question,
        temperature: 1.5,
        top_p: 0.9,
        stop: 'END',
        seed: 42,
        frequency_penalty: 0.5,
        presence_penalty: -0.5,
        max_completion_tokens: 100,
      })
      .withResponse();
    expect(completion.choices[0]!.message.content).toBe('Routing explained.');
    expect(sentTo('openai')).toMatchObject({
      model: 'gpt-4o',
      temperature: 1.5,
      top_p: 0.9,
      stop: ['END'],
      seed: 42,
      frequency_penalty: 0.5,
      presence_penalty: -0.5,
      max_tokens: 100,
    });
    expect(extensionOf(completion).dropped_parameters).toEqual([]);
    expect(response.headers.get('x-switchyard-dropped-parameters')).toBeNull();
  });

  it('reports top_k as dropped for an OpenAI model, in switchyard.dropped_parameters and the header, JSON and streamed', async () => {
    upstreams.openai.reply(openaiChat.stream(['One.']), openaiChat.stream(['Two.']));
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'openai/gpt-4o', messages: question, top_p: 0.5, ...extra({ top_k: 40 }) })
      .withResponse();
    expect(extensionOf(completion).dropped_parameters).toEqual([
      { parameter: 'top_k', reason: expect.stringContaining('openai') },
    ]);
    expect(response.headers.get('x-switchyard-dropped-parameters')).toBe('top_k');
    expect(sentTo('openai')).not.toHaveProperty('top_k');
    expect(sentTo('openai')).toMatchObject({ top_p: 0.5 });

    const { data: stream, response: streamed } = await client.chat.completions
      .create({ model: 'openai/gpt-4o', messages: question, stream: true, ...extra({ top_k: 40 }) })
      .withResponse();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(streamed.headers.get('x-switchyard-dropped-parameters')).toBe('top_k');
    expect(extensionOf(chunks.at(-1)!).dropped_parameters).toEqual([
      { parameter: 'top_k', reason: expect.any(String) },
    ]);
  });

  it('passes top_k to an OpenAI-compatible server, which takes it', async () => {
    upstreams.deepseek.reply(openaiChat.stream(['Fine.']));
    const completion = await client.chat.completions.create({
      model: 'deepseek/deepseek-chat',
      messages: question,
      ...extra({ top_k: 40 }),
    });
    expect(sentTo('deepseek')).toMatchObject({ model: 'deepseek-chat', top_k: 40 });
    expect(extensionOf(completion).dropped_parameters).toEqual([]);
  });

  it('clamps temperature 1.5 to 1 for an Anthropic model and says so', async () => {
    upstreams.anthropic.reply(anthropicMessages.stream(['Clamped.']));
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'anthropic/claude-sonnet-4-5', messages: question, temperature: 1.5 })
      .withResponse();
    expect(completion.choices[0]!.message.content).toBe('Clamped.');
    expect(sentTo('anthropic')).toMatchObject({ temperature: 1 });
    expect(extensionOf(completion).dropped_parameters).toEqual([
      { parameter: 'temperature', reason: expect.stringMatching(/clamped from 1\.5 to 1/) },
    ]);
    expect(response.headers.get('x-switchyard-dropped-parameters')).toBe('temperature');
  });

  it('sends max_completion_tokens and reasoning_effort to an OpenAI reasoning model, and counts its reasoning tokens', async () => {
    upstreams.openai.reply(
      openaiChat.stream(['Thought ', 'through.'], {
        model: 'o3-2025-04-16',
        usage: { prompt_tokens: 20, completion_tokens: 90, reasoning_tokens: 64 },
      }),
    );
    const completion = await client.chat.completions.create({
      model: 'openai/o3',
      messages: [{ role: 'developer', content: 'Be brief.' }, ...question],
      max_completion_tokens: 500,
      reasoning_effort: 'high',
      temperature: 0.3,
    });
    const body = sentTo('openai');
    expect(body).toMatchObject({ model: 'o3', max_completion_tokens: 500, reasoning_effort: 'high' });
    expect(body).not.toHaveProperty('max_tokens');
    // o3 refuses temperature: not sent, and reported.
    expect(body).not.toHaveProperty('temperature');
    expect(extensionOf(completion).dropped_parameters).toEqual([
      { parameter: 'temperature', reason: expect.any(String) },
    ]);
    expect(completion.usage).toMatchObject({
      completion_tokens: 90,
      completion_tokens_details: { reasoning_tokens: 64 },
    });
  });

  it('streams DeepSeek reasoning_content through as delta.reasoning_content, and stores it with the turn', async () => {
    upstreams.deepseek.reply(
      openaiChat.reasoningStream(['The user asks ', 'about routing.'], ['Routing ', 'picks.']),
    );
    const stream = await client.chat.completions.create({
      model: 'deepseek/deepseek-reasoner',
      messages: question,
      stream: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    type Delta = OpenAI.ChatCompletionChunk.Choice.Delta & { reasoning_content?: string };
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta as Delta | undefined);
    expect(deltas[0]).toEqual({ role: 'assistant', content: null, refusal: null });
    expect(deltas.map((delta) => delta?.reasoning_content ?? '').join('')).toBe(
      'The user asks about routing.',
    );
    expect(deltas.map((delta) => delta?.content ?? '').join('')).toBe('Routing picks.');
    // Reasoning comes before the text.
    const lastReasoning = deltas.findLastIndex((delta) => delta?.reasoning_content !== undefined);
    const firstText = deltas.findIndex((delta) => delta?.content);
    expect(lastReasoning).toBeLessThan(firstText);

    await t.settled();
    const turns = await t.db.database.db
      .select({ role: messages.role, content: messages.content })
      .from(messages)
      .where(eq(messages.conversationId, extensionOf(chunks.at(-1)!).conversation_id))
      .orderBy(asc(messages.seq));
    expect(turns.at(-1)).toEqual({
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'The user asks about routing.' },
        { type: 'text', text: 'Routing picks.' },
      ],
    });
  });

  it('returns the reasoning of a JSON answer as message.reasoning_content', async () => {
    upstreams.deepseek.reply(openaiChat.reasoningStream(['Hmm.'], ['Done.']));
    const completion = await client.chat.completions.create({
      model: 'deepseek/deepseek-reasoner',
      messages: question,
    });
    expect(completion.choices[0]!.message).toMatchObject({
      role: 'assistant',
      content: 'Done.',
      reasoning_content: 'Hmm.',
    });
  });

  it('accepts a reasoning budget as reasoning.max_tokens and sends Anthropic a thinking budget', async () => {
    upstreams.anthropic.reply(anthropicMessages.thinking(['Let me see.'], 'sig-1', ['Answer.']));
    const completion = await client.chat.completions.create({
      model: 'anthropic/claude-sonnet-4-5',
      messages: question,
      max_completion_tokens: 4000,
      ...extra({ reasoning: { max_tokens: 2048 } }),
    });
    expect(sentTo('anthropic')).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 } });
    expect(completion.choices[0]!.message).toMatchObject({
      content: 'Answer.',
      reasoning_content: 'Let me see.',
    });
  });

  it('raises BadRequestError naming the parameter for every out-of-range value, and calls no upstream', async () => {
    const cases: [Body, string, string][] = [
      [{ temperature: 2.5 }, 'temperature', 'invalid_value'],
      [{ temperature: -0.1 }, 'temperature', 'invalid_value'],
      [{ top_p: 1.5 }, 'top_p', 'invalid_value'],
      [{ top_k: 0 }, 'top_k', 'invalid_value'],
      [{ seed: 1.5 }, 'seed', 'invalid_value'],
      [{ frequency_penalty: 2.5 }, 'frequency_penalty', 'invalid_value'],
      [{ presence_penalty: -3 }, 'presence_penalty', 'invalid_value'],
      [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', 'invalid_value'],
      [{ stop: [''] }, 'stop.0', 'invalid_value'],
      [{ max_completion_tokens: 0 }, 'max_completion_tokens', 'invalid_value'],
      [{ reasoning_effort: 'xhigh' }, 'reasoning_effort', 'unsupported_value'],
      [{ reasoning_effort: 'none' }, 'reasoning_effort', 'unsupported_value'],
      [{ reasoning_effort: 'extreme' }, 'reasoning_effort', 'invalid_value'],
      [{ reasoning: { max_tokens: 0 } }, 'reasoning.max_tokens', 'invalid_value'],
      [{ reasoning_effort: 'low', reasoning: { effort: 'high' } }, 'reasoning', 'invalid_value'],
      [{ n: 0 }, 'n', 'invalid_value'],
      [{ n: 9 }, 'n', 'invalid_value'],
      [{ logprobs: true, top_logprobs: 21 }, 'top_logprobs', 'invalid_value'],
      [{ top_logprobs: 3 }, 'top_logprobs', 'invalid_value'],
    ];
    for (const [change, param, code] of cases) {
      const error = await client.chat.completions
        .create({
          model: 'openai/gpt-4o',
          messages: question,
          ...change,
        } as OpenAI.ChatCompletionCreateParamsNonStreaming)
        .catch((caught: unknown) => caught);
      expect(error, JSON.stringify(change)).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).param, JSON.stringify(change)).toBe(param);
      expect((error as BadRequestError).code, JSON.stringify(change)).toBe(code);
    }
    const n = await client.chat.completions
      .create({
        model: 'openai/gpt-4o',
        messages: question,
        n: 3,
        tools: [{ type: 'function', function: { name: 'look_up', parameters: { type: 'object' } } }],
      })
      .catch((caught: unknown) => caught);
    expect(n).toBeInstanceOf(BadRequestError);
    expect((n as BadRequestError).param).toBe('n');
    expect((n as BadRequestError).message).toContain('one choice may call tools');
    expect(upstreams.openai.received).toHaveLength(0);
  });

  it('refuses reasoning_effort for a model that does not reason, with 422', async () => {
    const error = await client.chat.completions
      .create({ model: 'openai/gpt-4o', messages: question, reasoning_effort: 'low' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect((error as UnprocessableEntityError).message).toContain('does not reason');
  });
});
