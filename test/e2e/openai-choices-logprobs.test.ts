import { asc, eq } from 'drizzle-orm';
import OpenAI, { UnprocessableEntityError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { openaiChat, openaiTokenLogprob } from '../upstreams/openai-chat.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

type Body = Record<string, unknown>;
const conversationOf = (completion: object) =>
  (completion as { switchyard: { conversation_id: string } }).switchyard.conversation_id;

/** What OpenAI itself would answer for these pieces (one token each), in the SDK's type. */
const expectedLogprobs = (pieces: string[], top: number): OpenAI.ChatCompletionTokenLogprob[] =>
  pieces.map((piece, position) => openaiTokenLogprob(piece, position, top));

describe.each(drivers)('n and logprobs on /v1/chat/completions on %s', (driver) => {
  let t: TestApp;
  let client: OpenAI;
  const upstreams = {} as Record<'openai' | 'deepseek', Upstream>;

  beforeAll(async () => {
    for (const name of ['openai', 'deepseek'] as const) upstreams[name] = await startUpstream();
    t = await startTestApp({
      driver,
      env: {
        OPENAI_API_KEY: 'sk-openai-test-key',
        OPENAI_BASE_URL: `${upstreams.openai.url}/v1`,
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
  const question = [{ role: 'user' as const, content: 'Name a fish.' }];

  it('answers n: 2 with two choices, sends n to the upstream, and stores only the first', async () => {
    upstreams.openai.reply(
      openaiChat.choicesStream(
        [
          ['Cod', '.'],
          ['Salmon', ' or trout', '.'],
        ],
        { finishReasons: ['stop', 'length'] },
      ),
    );
    const completion = await client.chat.completions.create({
      model: 'openai/gpt-4o',
      messages: question,
      n: 2,
    });
    expect(sentTo('openai')).toMatchObject({ model: 'gpt-4o', n: 2 });
    expect(sentTo('openai')).not.toHaveProperty('logprobs');
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: expect.objectContaining({ role: 'assistant', content: 'Cod.', refusal: null }),
        logprobs: null,
        finish_reason: 'stop',
      },
      {
        index: 1,
        message: { role: 'assistant', content: 'Salmon or trout.', refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'length',
      },
    ]);
    await t.settled();
    const turns = await t.db.database.db
      .select({ role: messages.role, content: messages.content })
      .from(messages)
      .where(eq(messages.conversationId, conversationOf(completion)))
      .orderBy(asc(messages.seq));
    expect(turns.map((turn) => turn.role)).toEqual(['user', 'assistant']);
    expect(turns[1]!.content).toEqual([{ type: 'text', text: 'Cod.' }]);
  });

  it('streams n: 2 as chunks per choice index, which the SDK assembles into two choices', async () => {
    upstreams.openai.reply(
      openaiChat.choicesStream([
        ['Cod', '.'],
        ['Salmon', '.'],
      ]),
    );
    const stream = client.chat.completions.stream({ model: 'openai/gpt-4o', messages: question, n: 2 });
    const indexes = new Set<number>();
    stream.on('chunk', (chunk) => {
      for (const choice of chunk.choices) indexes.add(choice.index);
    });
    const final = await stream.finalChatCompletion();
    expect(indexes).toEqual(new Set([0, 1]));
    expect(
      final.choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason]),
    ).toEqual([
      [0, 'Cod.', 'stop'],
      [1, 'Salmon.', 'stop'],
    ]);
    expect(sentTo('openai')).toMatchObject({ n: 2, stream: true });
  });

  it('returns logprobs: true, top_logprobs: 2 in OpenAI shape, JSON and streamed', async () => {
    const pieces = ['Cod', ' is', ' a', ' fish', '.'];
    upstreams.openai.reply(
      openaiChat.choicesStream([pieces], { logprobs: { top: 2 } }),
      openaiChat.choicesStream([pieces], { logprobs: { top: 2 } }),
    );
    const completion = await client.chat.completions.create({
      model: 'openai/gpt-4o',
      messages: question,
      logprobs: true,
      top_logprobs: 2,
    });
    expect(sentTo('openai')).toMatchObject({ logprobs: true, top_logprobs: 2 });
    const [choice] = completion.choices;
    expect(choice!.message.content).toBe('Cod is a fish.');
    const logprobs: OpenAI.ChatCompletion.Choice.Logprobs | null = choice!.logprobs;
    expect(logprobs).toEqual({ content: expectedLogprobs(pieces, 2), refusal: null });
    expect(logprobs!.content![0]!.top_logprobs).toHaveLength(2);

    const stream = client.chat.completions.stream({
      model: 'openai/gpt-4o',
      messages: question,
      logprobs: true,
      top_logprobs: 2,
      stream_options: { include_usage: true },
    });
    const streamedTokens: string[] = [];
    stream.on('logprobs.content.delta', ({ content }) => {
      for (const entry of content) streamedTokens.push(entry.token);
    });
    const final = await stream.finalChatCompletion();
    expect(streamedTokens).toEqual(pieces);
    expect(final.choices[0]!.logprobs).toEqual({ content: expectedLogprobs(pieces, 2), refusal: null });
    expect(final.choices[0]!.message.content).toBe('Cod is a fish.');
  });

  it('answers n: 2 with logprobs for each choice', async () => {
    upstreams.openai.reply(openaiChat.choicesStream([['Cod'], ['Eel', '!']], { logprobs: { top: 1 } }));
    const completion = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: question,
      n: 2,
      logprobs: true,
      top_logprobs: 1,
    });
    expect(completion.choices.map((choice) => choice.logprobs)).toEqual([
      { content: expectedLogprobs(['Cod'], 1), refusal: null },
      { content: expectedLogprobs(['Eel', '!'], 1), refusal: null },
    ]);
  });

  it('refuses with 422 naming the model when it cannot return logprobs or several choices, calling no upstream', async () => {
    const cases: [OpenAI.ChatCompletionCreateParamsNonStreaming, string, string][] = [
      [{ model: 'openai/o3', messages: question, logprobs: true }, 'openai/o3', 'log probabilities'],
      [{ model: 'openai/gpt-5', messages: question, n: 3 }, 'openai/gpt-5', 'several choices'],
      [
        { model: 'deepseek/deepseek-chat', messages: question, logprobs: true },
        'deepseek/deepseek-chat',
        'log probabilities',
      ],
      [
        { model: 'deepseek/deepseek-chat', messages: question, n: 2 },
        'deepseek/deepseek-chat',
        'several choices',
      ],
    ];
    for (const [body, model, reason] of cases) {
      const error = await client.chat.completions.create(body).catch((caught: unknown) => caught);
      expect(error, model).toBeInstanceOf(UnprocessableEntityError);
      expect((error as UnprocessableEntityError).message).toContain(model);
      expect((error as UnprocessableEntityError).message).toContain(reason);
    }
    expect(upstreams.openai.received).toHaveLength(0);
    expect(upstreams.deepseek.received).toHaveLength(0);
  });

  it('falls back past a model without the capability to one that has it', async () => {
    upstreams.openai.reply(openaiChat.choicesStream([['Cod']], { logprobs: { top: 0 } }));
    const completion = await client.chat.completions.create({
      model: 'deepseek/deepseek-chat',
      messages: question,
      logprobs: true,
      ...({ fallback_models: ['openai/gpt-4o'] } as object),
    });
    expect(completion.model).toBe('openai/gpt-4o');
    expect(completion.choices[0]!.logprobs).toEqual({ content: expectedLogprobs(['Cod'], 0), refusal: null });
    expect(upstreams.deepseek.received).toHaveLength(0);
  });

  it('treats n: 1 and logprobs: false as not asked: nothing extra reaches the upstream', async () => {
    upstreams.deepseek.reply(openaiChat.stream(['Cod.']));
    const completion = await client.chat.completions.create({
      model: 'deepseek/deepseek-chat',
      messages: question,
      n: 1,
      logprobs: false,
    });
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]!.logprobs).toBeNull();
    for (const field of ['n', 'logprobs', 'top_logprobs'])
      expect(sentTo('deepseek')).not.toHaveProperty(field);
  });
});
