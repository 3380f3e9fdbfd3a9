import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TokenLogprob } from '../../src/core/logprobs.js';
import type { ProviderStreamPart } from '../../src/providers/provider.js';
import { collect, errorOf, finalPart, modelAt, textOfParts, userSays } from '../support/provider-harness.js';
import { openaiChat, openaiChoicesEvents, openaiTokenLogprob } from '../upstreams/openai-chat.js';
import { sseHeaders, startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

/** OpenAI's logprobs entry of a piece (see the upstream), in our terms. */
const ours = (token: string, position: number, top: number): TokenLogprob => {
  const entry = openaiTokenLogprob(token, position, top);
  return { token, logprob: entry.logprob, bytes: entry.bytes, topLogprobs: entry.top_logprobs };
};

const logprobsOf = (parts: ProviderStreamPart[]) =>
  parts.flatMap((part) => (part.type === 'text-delta' ? (part.logprobs ?? []) : []));

const choiceText = (parts: ProviderStreamPart[], choice: number) =>
  parts.map((part) => (part.type === 'choice-delta' && part.choice === choice ? part.text : '')).join('');

describe('OpenAI chat completions adapter: logprobs and several choices', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  beforeEach(() => upstream.reset());
  afterAll(() => upstream.close());

  const model = () => modelAt('openai', `${upstream.url}/v1`, 'gpt-4o');

  it('sends logprobs, top_logprobs and n when asked, and none of them otherwise', async () => {
    upstream.reply(
      openaiChat.choicesStream([['A'], ['B']], { logprobs: { top: 2 } }),
      openaiChat.choicesStream([['A']], { logprobs: { top: 0 } }),
      openaiChat.stream(['Plain.']),
    );
    await collect(model(), { messages: userSays('hi'), logprobs: { top: 2 }, choices: 2 });
    await collect(model(), { messages: userSays('hi'), logprobs: { top: 0 }, choices: 1 });
    await collect(model(), { messages: userSays('hi') });
    const [both, onlyLogprobs, plain] = upstream.received.map((request) => request.body as object);
    expect(both).toMatchObject({ logprobs: true, top_logprobs: 2, n: 2 });
    expect(onlyLogprobs).toMatchObject({ logprobs: true });
    expect(onlyLogprobs).not.toHaveProperty('top_logprobs');
    expect(onlyLogprobs).not.toHaveProperty('n');
    for (const field of ['logprobs', 'top_logprobs', 'n']) expect(plain).not.toHaveProperty(field);
  });

  it('yields the logprobs of each text fragment in our shape, and a plain fragment without the field', async () => {
    upstream.reply(
      openaiChat.choicesStream([['Hel', 'lo', ' é']], { logprobs: { top: 2 } }),
      openaiChat.stream(['Hel', 'lo']),
    );
    const parts = await collect(model(), { messages: userSays('hi'), logprobs: { top: 2 } });
    expect(textOfParts(parts)).toBe('Hello é');
    expect(logprobsOf(parts)).toEqual([ours('Hel', 0, 2), ours('lo', 1, 2), ours(' é', 2, 2)]);
    expect(logprobsOf(parts)[2]!.bytes).toEqual([32, 195, 169]);
    expect(finalPart(parts)).toMatchObject({ type: 'finish', finishReason: 'stop' });

    const plain = await collect(model(), { messages: userSays('hi') });
    for (const part of plain)
      if (part.type === 'text-delta') expect(Object.keys(part)).toEqual(['type', 'text']);
  });

  it('joins the logprobs of fragments coalesced from one network read, in order, none lost', async () => {
    const events = openaiChoicesEvents([['a', 'b', 'c', 'd']], { logprobs: { top: 1 } });
    upstream.reply({ status: 200, headers: sseHeaders, chunks: [events.join('')] });
    const parts = await collect(model(), { messages: userSays('hi'), logprobs: { top: 1 } });
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([
      {
        type: 'text-delta',
        text: 'abcd',
        logprobs: [ours('a', 0, 1), ours('b', 1, 1), ours('c', 2, 1), ours('d', 3, 1)],
      },
    ]);
  });

  it('yields the other choices as choice-delta parts, with their logprobs and finish reasons, choice 0 as the text', async () => {
    const events = openaiChoicesEvents(
      [
        ['One', ' fish'],
        ['Two', ' fish', ' more'],
      ],
      {
        logprobs: { top: 1 },
        finishReasons: ['stop', 'length'],
      },
    );
    // The whole answer in one read: each choice's pieces are joined, the choices kept apart.
    upstream.reply({ status: 200, headers: sseHeaders, chunks: [events.join('')] });
    const parts = await collect(model(), { messages: userSays('hi'), logprobs: { top: 1 }, choices: 2 });
    expect(textOfParts(parts)).toBe('One fish');
    expect(choiceText(parts, 1)).toBe('Two fish more');
    const choice = parts.filter((part) => part.type === 'choice-delta');
    expect(choice.flatMap((part) => part.logprobs ?? [])).toEqual([
      ours('Two', 0, 1),
      ours(' fish', 1, 1),
      ours(' more', 2, 1),
    ]);
    expect(logprobsOf(parts)).toEqual([ours('One', 0, 1), ours(' fish', 1, 1)]);
    expect(finalPart(parts)).toMatchObject({
      type: 'finish',
      finishReason: 'stop',
      otherChoices: [{ choice: 1, finishReason: 'length' }],
    });
  });

  it('fails as incomplete a stream whose other choice never finished', async () => {
    const events = openaiChoicesEvents([['One'], ['Two']]);
    // Drops choice 1's finish chunk (the events end: finishes of 0 and 1, usage, [DONE]).
    const cut = events.filter(
      (event) => !(event.includes('"index":1') && event.includes('"finish_reason":"stop"')),
    );
    upstream.reply({ status: 200, headers: sseHeaders, chunks: cut });
    const parts = await collect(model(), { messages: userSays('hi'), choices: 2 });
    expect(errorOf(parts)).toMatchObject({ kind: 'incomplete' });
  });
});
