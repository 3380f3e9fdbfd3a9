import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createProviderRegistry } from '../../src/providers/create-provider-registry.js';
import type { ProviderStreamPart } from '../../src/providers/provider.js';
import {
  collect,
  finalPart,
  modelAt,
  testApiKey,
  textOfParts,
  userSays,
} from '../support/provider-harness.js';
import { openaiChat, openaiReasoningEvents } from '../upstreams/openai-chat.js';
import { sseEvent, sseHeaders, startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

const reasoningOf = (parts: ProviderStreamPart[]): string =>
  parts.map((part) => (part.type === 'reasoning-delta' ? part.text : '')).join('');

/** The tool-call fragments of an answer, without the finish. */
const fragmentsOf = (parts: ProviderStreamPart[]) => parts.filter((part) => part.type === 'tool-call-delta');

const lastOf = (parts: ProviderStreamPart[]) => parts.at(-1);

/** An event stream of raw `delta`s (one chunk each) ending with `finish` and [DONE]. */
const deltaStream = (deltas: Record<string, unknown>[], finish = 'tool_calls') => ({
  status: 200,
  headers: sseHeaders,
  chunks: [
    ...deltas.map((delta) => sseEvent({ choices: [{ index: 0, delta, finish_reason: null }] })),
    sseEvent({ choices: [{ index: 0, delta: {}, finish_reason: finish }] }),
    sseEvent('[DONE]'),
  ],
});

describe('OpenAI-compatible adapter', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  beforeEach(() => upstream.reset());
  afterAll(() => upstream.close());

  it('asks for usage in the stream and sends the key as a bearer token', async () => {
    upstream.reply(openaiChat.stream(['Hi'], { usage: { prompt_tokens: 9, completion_tokens: 1 } }));
    const parts = await collect(modelAt('openai-compatible', `${upstream.url}/v1`, 'llama-3.3-70b'), {
      messages: userSays('hello'),
      temperature: 0,
      maxTokens: 5,
    });
    expect(textOfParts(parts)).toBe('Hi');
    expect(finalPart(parts)).toMatchObject({
      type: 'finish',
      usage: { promptTokens: 9, completionTokens: 1 },
    });
    const [request] = upstream.received;
    expect(request!.path).toBe('/v1/chat/completions');
    expect(request!.headers.authorization).toBe(`Bearer ${testApiKey}`);
    expect(request!.body).toMatchObject({
      model: 'llama-3.3-70b',
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      max_tokens: 5,
      messages: [{ role: 'user', content: 'hello' }],
    });
  });

  it('registers every preset and config provider, configured when its key is set, keyless ones always', async () => {
    const config = loadConfig({ GROQ_API_KEY: 'gsk-test', OLLAMA_BASE_URL: `${upstream.url}/v1` }, '/');
    const registry = createProviderRegistry(config.providers);
    const names = registry.list().map((provider) => provider.name);
    for (const name of [
      'openai',
      'anthropic',
      'google',
      'groq',
      'mistral',
      'deepseek',
      'xai',
      'together',
      'fireworks',
      'openrouter',
      'ollama',
      'vllm',
      'local',
    ])
      expect(names).toContain(name);
    const configured = registry
      .list()
      .filter((provider) => provider.configured)
      .map((provider) => provider.name);
    expect(configured.sort()).toEqual(['groq', 'local', 'ollama', 'vllm']);

    // A keyless local server gets no Authorization header.
    upstream.reply(openaiChat.stream(['local answer']));
    const parts = await collect(registry.get('ollama')!.languageModel('llama3.2'), {
      messages: userSays('hi'),
    });
    expect(textOfParts(parts)).toBe('local answer');
    expect(upstream.received[0]!.headers.authorization).toBeUndefined();
  });

  const compatible = (model = 'deepseek-reasoner') =>
    modelAt('openai-compatible', `${upstream.url}/v1`, model);

  it('passes top_k, seed, penalties and stop on, and reasoning as reasoning_effort', async () => {
    upstream.reply(openaiChat.stream(['ok']));
    await collect(compatible('qwen3-32b'), {
      messages: userSays('hi'),
      temperature: 1.5,
      topP: 0.8,
      topK: 20,
      stop: ['</answer>'],
      seed: 9,
      frequencyPenalty: 0.3,
      presencePenalty: 0.4,
      maxTokens: 64,
      reasoning: { maxTokens: 10_000 },
    });
    expect(upstream.received[0]!.body).toMatchObject({
      temperature: 1.5,
      top_p: 0.8,
      top_k: 20,
      stop: ['</answer>'],
      seed: 9,
      frequency_penalty: 0.3,
      presence_penalty: 0.4,
      max_tokens: 64,
      reasoning_effort: 'high',
      stream_options: { include_usage: true },
    });
  });

  it('streams reasoning_content (DeepSeek, vLLM) as reasoning before the text', async () => {
    upstream.reply(
      openaiChat.reasoningStream(['The user ', 'greets me.'], ['Hello', '!'], {
        usage: { prompt_tokens: 10, completion_tokens: 30, reasoning_tokens: 20 },
      }),
    );
    const parts = await collect(compatible(), { messages: userSays('hi') });
    expect(reasoningOf(parts)).toBe('The user greets me.');
    expect(textOfParts(parts)).toBe('Hello!');
    const firstText = parts.findIndex((part) => part.type === 'text-delta');
    expect(parts.findLastIndex((part) => part.type === 'reasoning-delta')).toBeLessThan(firstText);
    expect(lastOf(parts)).toMatchObject({
      type: 'finish',
      finishReason: 'stop',
      usage: { promptTokens: 10, completionTokens: 30, reasoningTokens: 20 },
    });
  });

  it('streams `reasoning` (OpenRouter) as reasoning too, and coalesces one read into one part', async () => {
    const events = openaiReasoningEvents(['Think', 'ing.'], ['Done.'], { field: 'reasoning' });
    upstream.reply({ status: 200, headers: sseHeaders, chunks: [events.join('')] });
    const parts = await collect(compatible('deepseek/deepseek-r1'), { messages: userSays('hi') });
    expect(parts.slice(0, 2)).toEqual([
      { type: 'reasoning-delta', text: 'Thinking.' },
      { type: 'text-delta', text: 'Done.' },
    ]);
  });

  it("reads Mistral's typed content chunks: thinking as reasoning, text as text", async () => {
    upstream.reply(
      deltaStream(
        [
          { role: 'assistant', content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'Hmm.' }] }] },
          { content: [{ type: 'text', text: 'Four.' }] },
          { content: 'Plain too.' },
        ],
        'stop',
      ),
    );
    const parts = await collect(compatible('magistral-medium-latest'), { messages: userSays('2+2?') });
    expect(reasoningOf(parts)).toBe('Hmm.');
    expect(textOfParts(parts)).toBe('Four.Plain too.');
    expect(lastOf(parts)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('fails an answer of reasoning alone under content_filter', async () => {
    upstream.reply(openaiChat.reasoningStream(['I should not.'], [], { finishReason: 'content_filter' }));
    const parts = await collect(compatible(), { messages: userSays('hi') });
    expect(lastOf(parts)).toMatchObject({ type: 'error', error: { kind: 'content_filtered' } });
  });

  it('takes a server that repeats the id on every fragment', async () => {
    upstream.reply(
      openaiChat.toolCallStream([{ id: 'call_7', name: 'lookup', arguments: ['{"q":', '"x"}'] }], {
        repeatId: true,
      }),
    );
    const parts = await collect(compatible('llama-3.3-70b'), { messages: userSays('hi') });
    const fragments = fragmentsOf(parts);
    expect(fragments[0]).toMatchObject({ index: 0, id: 'call_7', name: 'lookup' });
    expect(fragments.slice(1).every((part) => part.id === undefined && part.index === 0)).toBe(true);
    expect(fragments.map((part) => part.arguments).join('')).toBe('{"q":"x"}');
  });

  it('takes whole calls in one fragment each, numbered 0 by the server, told apart by id', async () => {
    upstream.reply(
      deltaStream([
        {
          role: 'assistant',
          tool_calls: [
            { index: 0, id: 'a1', type: 'function', function: { name: 'one', arguments: '{"n":1}' } },
          ],
        },
        {
          tool_calls: [
            { index: 0, id: 'b2', type: 'function', function: { name: 'two', arguments: '{"n":2}' } },
          ],
        },
      ]),
    );
    const parts = await collect(compatible('gemini-2.5-flash'), { messages: userSays('hi') });
    expect(fragmentsOf(parts)).toEqual([
      { type: 'tool-call-delta', index: 0, id: 'a1', name: 'one', arguments: '{"n":1}' },
      { type: 'tool-call-delta', index: 1, id: 'b2', name: 'two', arguments: '{"n":2}' },
    ]);
    expect(lastOf(parts)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('makes up an id when the server sends none, follows calls without an index, and ends stop-with-calls as tool_calls', async () => {
    upstream.reply(
      deltaStream(
        [
          { tool_calls: [{ function: { name: 'first', arguments: '{"a":' } }] },
          { tool_calls: [{ function: { arguments: '1}' } }] },
          { tool_calls: [{ id: 'call_b', function: { name: 'second', arguments: '{}' } }] },
        ],
        'stop',
      ),
    );
    const parts = await collect(compatible('llama3.2'), { messages: userSays('hi') });
    const fragments = fragmentsOf(parts);
    expect(fragments[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_\w+$/), name: 'first' });
    expect(
      fragments
        .filter((part) => part.index === 0)
        .map((part) => part.arguments)
        .join(''),
    ).toBe('{"a":1}');
    expect(fragments.at(-1)).toMatchObject({ index: 1, id: 'call_b', name: 'second', arguments: '{}' });
    expect(lastOf(parts)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('fails a tool call fragment that does not fit the schema as a malformed chunk', async () => {
    upstream.reply(deltaStream([{ tool_calls: [{ index: 0, id: 'x', function: { arguments: { a: 1 } } }] }]));
    const parts = await collect(compatible('llama3.2'), { messages: userSays('hi') });
    expect(lastOf(parts)).toMatchObject({
      type: 'error',
      error: { kind: 'incomplete', message: expect.stringContaining('malformed') },
    });
  });
});
