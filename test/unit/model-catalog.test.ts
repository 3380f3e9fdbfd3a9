import { describe, expect, it } from 'vitest';
import { computeCost, picoToDecimal, picoToDollars } from '../../src/catalog/cost.js';
import { ModelCatalog } from '../../src/catalog/model-catalog.js';

const usage = (
  promptTokens: number,
  completionTokens: number,
  extra: { cached?: number; reasoning?: number } = {},
) => ({
  promptTokens,
  completionTokens,
  reasoningTokens: extra.reasoning ?? 0,
  cachedTokens: extra.cached ?? 0,
  estimated: false,
});

describe('model catalog', () => {
  const catalog = ModelCatalog.withBuiltIns();

  it("gives logprobs and several choices to OpenAI's chat models only, unless the config says otherwise", () => {
    const has = (id: string) =>
      ['logprobs', 'multiple_choices'].filter((name) =>
        catalog.resolve(id).capabilities.has(name as 'logprobs' | 'multiple_choices'),
      );
    for (const id of [
      'openai/gpt-4o',
      'openai/gpt-4o-mini',
      'openai/gpt-4.1',
      'openai/gpt-4-turbo',
      'openai/gpt-3.5-turbo',
      'openai/chatgpt-4o-latest',
    ])
      expect(has(id), id).toEqual(['logprobs', 'multiple_choices']);
    for (const id of [
      'openai/o3',
      'openai/o4-mini',
      'openai/gpt-5',
      'openai/gpt-5-chat-latest',
      'openai/gpt-4o-audio-preview',
      'openai/gpt-4o-search-preview',
      'anthropic/claude-sonnet-4-5',
      'google/gemini-2.5-flash',
      'deepseek/deepseek-chat',
    ])
      expect(has(id), id).toEqual([]);
    const configured = ModelCatalog.withBuiltIns([
      { id: 'vllm/llama-3.1-8b', capabilities: ['logprobs', 'multiple_choices'] },
    ]);
    expect(configured.resolve('vllm/llama-3.1-8b').capabilities).toEqual(
      new Set(['logprobs', 'multiple_choices']),
    );
  });

  it('ships prices, context windows and vision for the current models of the built-in providers', () => {
    expect(catalog.get('openai/gpt-4o')).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      contextWindow: 128_000,
      // $2.50 / $10 / $1.25 cached per million tokens, in pico-dollars per token.
      prices: { input: 2_500_000, output: 10_000_000, cachedInput: 1_250_000 },
    });
    expect(catalog.get('openai/gpt-4o')!.capabilities.has('vision')).toBe(true);
    for (const id of [
      'anthropic/claude-sonnet-4-5',
      'anthropic/claude-haiku-4-5',
      'google/gemini-2.5-flash',
    ]) {
      const info = catalog.get(id);
      expect(info?.prices, id).toBeDefined();
      expect(info?.contextWindow, id).toBeGreaterThan(100_000);
      expect(info?.capabilities.has('vision'), id).toBe(true);
    }
    expect(catalog.get('deepseek/deepseek-chat')?.capabilities.has('vision')).toBe(false);
    const ids = catalog.list().map((model) => model.id);
    expect(ids).toContain('local/echo');
    expect(ids).not.toContain('openai/text-embedding-3-small');
  });

  it('marks the models whose provider can search the web natively, snapshots included', () => {
    const searches = (id: string) => catalog.get(id)?.capabilities.has('search');
    for (const id of [
      'openai/gpt-4o',
      'openai/gpt-4.1-mini',
      'openai/gpt-5',
      'openai/o4-mini',
      'openai/gpt-4o-2024-08-06',
      'anthropic/claude-sonnet-4-5',
      'anthropic/claude-sonnet-4-5-20250929',
      'anthropic/claude-3-7-sonnet-latest',
      'google/gemini-2.0-flash',
      'google/gemini-2.5-pro',
    ])
      expect(searches(id), id).toBe(true);
    for (const id of [
      'openai/gpt-4.1-nano',
      'openai/gpt-3.5-turbo',
      'openai/o3-mini',
      // It searches on Chat Completions by itself, not through the Responses tool we pass.
      'openai/gpt-4o-search-preview',
      'anthropic/claude-3-haiku',
      'google/gemini-1.5-pro',
      'google/gemini-2.0-flash-lite',
      'deepseek/deepseek-chat',
      'local/echo',
    ])
      expect(searches(id), id).toBe(false);
  });

  it('prices a dated snapshot like the model it belongs to, under the id asked for', () => {
    const snapshot = catalog.resolve('anthropic/claude-sonnet-4-5-20250929');
    expect(snapshot).toMatchObject({
      id: 'anthropic/claude-sonnet-4-5-20250929',
      model: 'claude-sonnet-4-5-20250929',
    });
    expect(snapshot.prices).toEqual(catalog.get('anthropic/claude-sonnet-4-5')!.prices);
    expect(catalog.resolve('openai/gpt-4o-2024-08-06').prices).toEqual(catalog.get('openai/gpt-4o')!.prices);
  });

  it('serves a model it lacks unpriced', () => {
    expect(catalog.resolve('acme/fast-1')).toMatchObject({
      provider: 'acme',
      model: 'fast-1',
      prices: undefined,
      contextWindow: undefined,
    });
  });

  it('lets the config file override shipped models and add new ones', () => {
    const configured = ModelCatalog.withBuiltIns([
      { id: 'openai/gpt-4o', inputPricePerMTok: 0.5, outputPricePerMTok: 4, contextWindow: 1000 },
      {
        id: 'acme/fast-1',
        contextWindow: 32_000,
        inputPricePerMTok: 0.5,
        outputPricePerMTok: 4,
        capabilities: ['vision'],
      },
      { id: 'openai/gpt-4o-2024-11-20', maxOutputTokens: 16_384 },
    ]);
    expect(configured.get('openai/gpt-4o')).toMatchObject({
      contextWindow: 1000,
      prices: { input: 500_000, output: 4_000_000, cachedInput: 1_250_000 },
    });
    expect(configured.get('acme/fast-1')).toMatchObject({
      contextWindow: 32_000,
      prices: { input: 500_000, output: 4_000_000, cachedInput: 500_000 },
    });
    expect(configured.get('acme/fast-1')!.capabilities.has('vision')).toBe(true);
    // An override of a snapshot the list lacks keeps the shipped data it does not change.
    expect(configured.get('openai/gpt-4o-2024-11-20')).toMatchObject({
      maxOutputTokens: 16_384,
      contextWindow: 128_000,
      prices: { input: 2_500_000 },
    });
  });

  it("computes SPEC's example exactly: 120 prompt and 80 completion tokens at $0.5 and $4 per million", () => {
    const prices = ModelCatalog.withBuiltIns([
      { id: 'acme/fast-1', inputPricePerMTok: 0.5, outputPricePerMTok: 4 },
    ]).get('acme/fast-1')!.prices;
    const cost = computeCost(usage(120, 80), prices);
    expect([picoToDollars(cost.input), picoToDollars(cost.output), picoToDollars(cost.total)]).toEqual([
      0.00006, 0.00032, 0.00038,
    ]);
    expect(picoToDecimal(cost.total)).toBe('0.000380000000');
  });

  it('bills cached input at its own price and reasoning as output', () => {
    const prices = catalog.get('openai/gpt-4o')!.prices;
    // 1000 prompt tokens of which 400 cached; 500 completion tokens of which 300 reasoning.
    const cost = computeCost(usage(1000, 500, { cached: 400, reasoning: 300 }), prices);
    expect(picoToDecimal(cost.input)).toBe('0.002000000000'); // 600 × 2.5e-6 + 400 × 1.25e-6
    expect(picoToDecimal(cost.output)).toBe('0.005000000000'); // 500 × 10e-6
  });
});
