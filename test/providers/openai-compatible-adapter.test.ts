import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createProviderRegistry } from '../../src/providers/create-provider-registry.js';
import {
  collect,
  finalPart,
  modelAt,
  testApiKey,
  textOfParts,
  userSays,
} from '../support/provider-harness.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

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
});
