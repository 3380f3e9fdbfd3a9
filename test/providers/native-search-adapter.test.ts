import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, errorOf, finalPart, modelAt, textOfParts, userSays } from '../support/provider-harness.js';
import { anthropicMessages } from '../upstreams/anthropic-messages.js';
import { gemini } from '../upstreams/gemini.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { openaiResponses } from '../upstreams/openai-responses.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

describe('native web search in the provider adapters', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  beforeEach(() => upstream.reset());
  afterAll(() => upstream.close());

  const openai = () => modelAt('openai', `${upstream.url}/v1`, 'gpt-4.1');

  it('OpenAI: a search call goes to the Responses API with the web_search tool; its citations come with the finish', async () => {
    upstream.reply(
      openaiResponses.stream(['Hi', '!'], {
        searchQuery: 'greeting',
        citations: [{ url: 'https://a.example/', title: 'A' }],
        usage: { input_tokens: 40, output_tokens: 2 },
      }),
    );
    const parts = await collect(openai(), { messages: userSays('Hello'), search: true, maxTokens: 50 });
    expect(textOfParts(parts)).toBe('Hi!');
    expect(finalPart(parts)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { promptTokens: 40, completionTokens: 2, reasoningTokens: 0, cachedTokens: 0, estimated: false },
      sources: [{ url: 'https://a.example/', title: 'A', snippet: '' }],
    });
    const [request] = upstream.received;
    expect(request!.path).toBe('/v1/responses');
    expect(request!.body).toMatchObject({
      model: 'gpt-4.1',
      stream: true,
      max_output_tokens: 50,
      tools: [{ type: 'web_search' }],
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hello' }] }],
    });
  });

  it('OpenAI: a Responses stream cut before response.completed is incomplete, not a finished answer', async () => {
    upstream.reply(openaiResponses.stream(['Hi'], { completed: false }));
    const parts = await collect(openai(), { messages: userSays('Hello'), search: true });
    expect(errorOf(parts).kind).toBe('incomplete');
  });

  it('OpenAI: a call without search stays on Chat Completions, with no tool', async () => {
    upstream.reply(openaiChat.stream(['Hi']));
    const parts = await collect(openai(), { messages: userSays('Hello') });
    expect(textOfParts(parts)).toBe('Hi');
    expect(upstream.received[0]!.path).toBe('/v1/chat/completions');
    expect(upstream.received[0]!.body).not.toHaveProperty('tools');
  });

  it('Anthropic: a search that found nothing still ends with the answer and no sources', async () => {
    upstream.reply(anthropicMessages.stream(['No results.'], { search: { query: 'q', results: [] } }));
    const model = modelAt('anthropic', `${upstream.url}/v1`, 'claude-sonnet-4-5');
    const parts = await collect(model, { messages: userSays('Hello'), search: true });
    expect(finalPart(parts)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(finalPart(parts)).not.toHaveProperty('sources');
  });

  it('Gemini: sends the google_search tool; each grounding page becomes one source, its first title kept', async () => {
    upstream.reply(
      gemini.stream(['Yes.'], {
        grounding: {
          queries: ['q'],
          chunks: [
            { uri: 'https://a.example/', title: 'a' },
            { uri: 'https://a.example/', title: 'a again' },
          ],
        },
      }),
    );
    const model = modelAt('google', `${upstream.url}/v1beta`, 'gemini-2.5-flash');
    const parts = await collect(model, { messages: userSays('Hello'), search: true });
    expect(finalPart(parts)).toMatchObject({
      sources: [{ url: 'https://a.example/', title: 'a', snippet: '' }],
    });
    expect(upstream.received[0]!.body).toMatchObject({ tools: [{ googleSearch: {} }] });
  });

  it('an OpenAI-compatible server has no search of its own: a search call fails rather than answer unsearched', async () => {
    const model = modelAt('openai-compatible', `${upstream.url}/v1`, 'fast-1');
    const parts = await collect(model, { messages: userSays('Hello'), search: true });
    expect(errorOf(parts)).toMatchObject({ kind: 'bad_request', retryable: false });
    expect(upstream.received).toHaveLength(0);
  });
});
