import { asc, eq } from 'drizzle-orm';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attempts, completions, messages } from '../../src/db/schema.js';
import { readSseEvents } from '../support/sse.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { anthropicMessages } from '../upstreams/anthropic-messages.js';
import { gemini } from '../upstreams/gemini.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { startUpstream, type Upstream, type UpstreamReply } from '../upstreams/scripted-upstream.js';

/** SPEC §9 through the real server: a cut answer finished by another provider, and hedging. */

type Format = 'openai' | 'anthropic' | 'google';
const models: Record<Format, string> = {
  openai: 'openai/gpt-4o',
  anthropic: 'anthropic/claude-sonnet-4-5',
  google: 'google/gemini-2.5-flash',
};

/** Each wire format's answer, and the same answer broken after its first pieces. */
const answers: Record<Format, (pieces: string[]) => UpstreamReply> = {
  openai: (pieces) => openaiChat.stream(pieces, { usage: { prompt_tokens: 30, completion_tokens: 9 } }),
  anthropic: (pieces) => anthropicMessages.stream(pieces, { usage: { input_tokens: 30, output_tokens: 9 } }),
  google: (pieces) => gemini.stream(pieces, { usage: { promptTokenCount: 30, candidatesTokenCount: 9 } }),
};

/** The pieces before the break are sent in full; what comes after never arrives. */
function broken(format: Format, pieces: string[], how: 'cut' | 'stall' | 'error'): UpstreamReply {
  if (how === 'error' && format === 'anthropic')
    return anthropicMessages.streamError(pieces, 'overloaded_error', 'Overloaded');
  const reply = answers[format]([...pieces, ' never', ' sent']);
  // The opening chunk(s) of each format, then one chunk per piece.
  const opening = format === 'openai' ? 1 : format === 'anthropic' ? 3 : 0;
  const chunks = reply.chunks!.slice(0, opening + pieces.length);
  // Each format's error object inside an open stream (OpenAI's `{error}` chunk, Gemini's status error).
  const inStreamError =
    format === 'openai'
      ? { error: { message: 'internal error', type: 'server_error', code: 500 } }
      : { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } };
  if (how === 'error') chunks.push(`data: ${JSON.stringify(inStreamError)}\n\n`);
  return {
    ...reply,
    chunks,
    chunkDelayMs: 5,
    end: how === 'stall' ? 'hang' : how === 'cut' ? 'destroy' : 'end',
  };
}

const textOf = (events: Record<string, unknown>[]) =>
  events
    .filter((event) => event.type === 'text')
    .map((event) => event.text)
    .join('');

describe.each(drivers)('mid-stream failover and hedging on %s', (driver) => {
  let t: TestApp;
  let strict: TestApp;
  let hedged: TestApp;
  const upstreams = {} as Record<Format, Upstream>;

  const env = () => ({
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${upstreams.openai.url}/v1`,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: `${upstreams.anthropic.url}/v1`,
    GEMINI_API_KEY: 'gemini-test',
    GEMINI_BASE_URL: `${upstreams.google.url}/v1beta`,
  });
  const prices = [
    { id: models.openai, inputPricePerMTok: 1, outputPricePerMTok: 2 },
    { id: models.anthropic, inputPricePerMTok: 3, outputPricePerMTok: 15 },
    { id: models.google, inputPricePerMTok: 0.5, outputPricePerMTok: 4 },
  ];

  beforeAll(async () => {
    for (const format of ['openai', 'anthropic', 'google'] as const)
      upstreams[format] = await startUpstream();
    t = await startTestApp({
      driver,
      random: () => 0,
      env: env(),
      configFile: {
        models: prices,
        routing: { idleTimeoutMs: 300, ttftTimeoutMs: 2_000 },
      },
    });
    strict = await startTestApp({
      driver,
      random: () => 0,
      env: env(),
      configFile: { models: prices, routing: { midStream: 'fail', idleTimeoutMs: 300 } },
    });
    hedged = await startTestApp({
      driver,
      random: () => 0,
      env: env(),
      configFile: { models: prices, routing: { hedge: { enabled: true, afterMs: 150 } } },
    });
  });
  afterAll(async () => {
    await t?.close();
    await strict?.close();
    await hedged?.close();
    for (const upstream of Object.values(upstreams)) await upstream.close();
  });
  beforeEach(() => {
    for (const upstream of Object.values(upstreams)) upstream.reset();
  });

  const ask = (app: TestApp, pool: Format[], extra: Record<string, unknown> = {}) =>
    app.post('/api/v1/completions', {
      messages: [{ role: 'user', content: 'Tell me about foxes.' }],
      models: pool.map((format) => models[format]),
      maxRetries: 0,
      stream: true,
      strategy: 'ordered',
      ...extra,
    });

  // Every wire format fails every way, and is continued by another format.
  const formats: Format[] = ['openai', 'anthropic', 'google'];
  const cases = formats.flatMap((first, index) =>
    (['cut', 'stall', 'error'] as const).map(
      (how, shift) => [first, how, formats[(index + 1 + (shift % 2)) % 3]!] as [Format, typeof how, Format],
    ),
  );

  it.each(cases)(
    'a %s stream that fails mid-answer (%s) is finished by %s: one answer, no repeated words, one done',
    async (first, how, next) => {
      upstreams[first].reply(broken(first, ['The quick ', 'brown'], how));
      // Models told to go on often repeat the last word: the client must not see it twice.
      upstreams[next].reply(answers[next](['brown fox', ' jumps over the lazy dog.']));
      const response = await ask(t, [first, next]);
      expect(response.status).toBe(200);
      const events = await readSseEvents(response);
      expect(textOf(events)).toBe('The quick brown fox jumps over the lazy dog.');
      expect(events.filter((event) => event.type === 'done')).toHaveLength(1);
      const done = events.at(-1) as {
        type: string;
        provider: string;
        attempts: { provider: string; outcome: string; continuedAt?: number; cost: number }[];
        usage: { promptTokens: number; costs: { total_tokens_cost: number } };
      };
      expect(done.type).toBe('done');
      expect(done.provider).toBe(next);
      expect(done.attempts.map((a) => [a.provider, a.outcome, a.continuedAt])).toEqual([
        [first, 'incomplete', undefined],
        [next, 'succeeded', 'The quick brown'.length],
      ]);

      // The next model got the conversation and the partial answer (Anthropic as a prefill).
      const sent = JSON.stringify(upstreams[next].received[0]!.body);
      expect(sent).toContain('Tell me about foxes.');
      expect(sent).toContain('The quick brown');

      // Stored: the whole text, every attempt with its own usage and cost, billed at its own prices.
      await t.settled();
      const { db } = t.db.database;
      const [row] = await db
        .select()
        .from(completions)
        .where(eq(completions.responseMessageId, events[0]!.responseMessageId as string));
      expect(row).toMatchObject({ status: 'succeeded', provider: next });
      const stored = await db
        .select()
        .from(attempts)
        .where(eq(attempts.completionId, row!.id))
        .orderBy(asc(attempts.position));
      expect(stored.map((a) => [a.provider, a.outcome, a.continuedAt])).toEqual([
        [first, 'incomplete', null],
        [next, 'succeeded', 'The quick brown'.length],
      ]);
      expect(stored[0]!.usageEstimated).toBe(true);
      expect(Number(stored[0]!.cost)).toBeGreaterThan(0);
      const price = prices.find((p) => p.id === models[next])!;
      expect(Number(stored[1]!.cost)).toBeCloseTo(
        (30 * price.inputPricePerMTok + 9 * price.outputPricePerMTok) / 1e6,
        12,
      );
      expect(Number(row!.totalCost)).toBeCloseTo(Number(stored[0]!.cost) + Number(stored[1]!.cost), 12);
      const [answer] = await db.select().from(messages).where(eq(messages.id, row!.responseMessageId!));
      expect(answer).toMatchObject({
        complete: true,
        content: [{ type: 'text', text: 'The quick brown fox jumps over the lazy dog.' }],
      });
    },
  );

  it('hands the partial answer to Anthropic as a prefill, and falls back to the instruction form when it is refused', async () => {
    upstreams.openai.reply(broken('openai', ['The sky ', 'is '], 'cut'));
    upstreams.anthropic.reply(
      anthropicMessages.error(
        400,
        'invalid_request_error',
        'final assistant content cannot end with trailing whitespace',
      ),
      answers.anthropic(['blue today.']),
    );
    const response = await ask(t, ['openai', 'anthropic']);
    const events = await readSseEvents(response);
    expect(textOf(events)).toBe('The sky is blue today.');
    const bodies = upstreams.anthropic.received.map((r) => r.body as { messages: { role: string }[] });
    expect(bodies.map((body) => body.messages.at(-1)!.role)).toEqual(['assistant', 'user']);
  });

  it('with routing.midStream "fail", ends the stream with the in-band error and keeps the partial answer', async () => {
    upstreams.openai.reply(broken('openai', ['The quick ', 'brown'], 'cut'));
    upstreams.anthropic.reply(answers.anthropic(['unused']));
    const events = await readSseEvents(await ask(strict, ['openai', 'anthropic']));
    expect(textOf(events)).toBe('The quick brown');
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'upstream_failed' } });
    expect(upstreams.anthropic.received).toHaveLength(0);
  });

  it('stops after routing.maxContinuations switches (default 2)', async () => {
    upstreams.openai.reply(broken('openai', ['one '], 'cut'));
    upstreams.anthropic.reply(broken('anthropic', ['two '], 'cut'));
    upstreams.google.reply(broken('google', ['three '], 'cut'));
    const events = await readSseEvents(await ask(t, ['openai', 'anthropic', 'google']));
    expect(textOf(events)).toBe('one two three ');
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'upstream_failed' } });
  });

  it('serves the OpenAI surface one uninterrupted answer through a switch (official client, streaming)', async () => {
    upstreams.openai.reply(broken('openai', ['The quick ', 'brown'], 'cut'));
    upstreams.google.reply(answers.google([' fox.']));
    const client = new OpenAI({ apiKey: adminKey, baseURL: `${t.url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: models.openai,
      // @ts-expect-error Switchyard's own routing field
      models: [models.google],
      messages: [{ role: 'user', content: 'Tell me about foxes.' }],
      max_retries: 0,
      strategy: 'ordered',
      stream: true,
    });
    let text = '';
    const finishes: string[] = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
    }
    expect(text).toBe('The quick brown fox.');
    expect(finishes).toEqual(['stop']);
  });

  it('serves a GraphQL subscription one answer with every attempt through a switch', async () => {
    upstreams.anthropic.reply(broken('anthropic', ['The quick ', 'brown'], 'cut'));
    upstreams.openai.reply(answers.openai([' fox.']));
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${adminKey}`,
      },
      body: JSON.stringify({
        query: `subscription ($input: CompletionInput!) { completionStream(input: $input) {
          __typename
          ... on CompletionTextChunk { text }
          ... on CompletionDoneChunk { completion { provider attempts { provider outcome continuedAt } } }
        } }`,
        variables: {
          input: {
            models: [models.anthropic, models.openai],
            maxRetries: 0,
            strategy: 'ORDERED',
            messages: [{ role: 'USER', content: [{ type: 'TEXT', text: 'Tell me about foxes.' }] }],
          },
        },
      }),
    });
    const chunks = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line.length > 6)
      .map(
        (line) =>
          (JSON.parse(line.slice(6)) as { data?: { completionStream: Record<string, unknown> } }).data,
      )
      .filter((data) => data !== undefined)
      .map((data) => data.completionStream);
    expect(
      chunks
        .filter((c) => c.__typename === 'CompletionTextChunk')
        .map((c) => c.text)
        .join(''),
    ).toBe('The quick brown fox.');
    expect(chunks.at(-1)).toEqual({
      __typename: 'CompletionDoneChunk',
      completion: {
        provider: 'openai',
        attempts: [
          { provider: 'anthropic', outcome: 'INCOMPLETE', continuedAt: null },
          { provider: 'openai', outcome: 'SUCCEEDED', continuedAt: 'The quick brown'.length },
        ],
      },
    });
  });

  it('hedges a slow first token with the next candidate: the first token wins, the loser’s connection is closed', async () => {
    upstreams.openai.reply({ ...answers.openai(['late']), firstByteDelayMs: 5_000 });
    upstreams.google.reply(answers.google(['Quick ', 'answer.']));
    const started = Date.now();
    const events = await readSseEvents(await ask(hedged, ['openai', 'google']));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(textOf(events)).toBe('Quick answer.');
    const done = events.at(-1) as { attempts: { provider: string; outcome: string; hedged?: boolean }[] };
    expect(done.attempts.map((a) => [a.provider, a.outcome, a.hedged ?? false])).toEqual([
      ['openai', 'cancelled', false],
      ['google', 'succeeded', true],
    ]);
    // The loser was aborted at once: its upstream saw the connection close.
    await upstreams.openai.received[0]!.clientClosed;
    expect(upstreams.openai.received[0]!.closedEarly).toBe(true);
  });
});
