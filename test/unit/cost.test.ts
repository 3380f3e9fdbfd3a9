import { describe, expect, it } from 'vitest';
import { computeCost, picoToDecimal, picoToDollars } from '../../src/catalog/cost.js';
import { picoPerTokenFromPerMTok } from '../../src/catalog/model-info.js';
import { PromptSize } from '../../src/routing/prompt-size.js';

const usage = {
  promptTokens: 120,
  completionTokens: 80,
  reasoningTokens: 0,
  cachedTokens: 0,
  estimated: false,
};
const prices = {
  input: picoPerTokenFromPerMTok(0.5),
  output: picoPerTokenFromPerMTok(4),
  cachedInput: picoPerTokenFromPerMTok(0.05),
};

describe('cost', () => {
  it('prices the reference example exactly: 0.00006 + 0.00032 = 0.00038', () => {
    const cost = computeCost(usage, prices);
    expect([picoToDollars(cost.input), picoToDollars(cost.output), picoToDollars(cost.total)]).toEqual([
      0.00006, 0.00032, 0.00038,
    ]);
    expect(picoToDecimal(cost.total)).toBe('0.000380000000');
  });

  it('bills cached input at its own price and reasoning as output', () => {
    const cost = computeCost({ ...usage, cachedTokens: 100, reasoningTokens: 50 }, prices);
    expect(cost.input).toBe(20 * 500_000 + 100 * 50_000);
    expect(cost.output).toBe(80 * 4_000_000);
  });

  it('adds up many small costs without drift', () => {
    const one = computeCost({ ...usage, promptTokens: 1, completionTokens: 1 }, prices).total;
    let sum = 0;
    for (let i = 0; i < 1_000_000; i++) sum += one;
    expect(picoToDecimal(sum)).toBe('4.500000000000');
  });

  it('costs nothing without prices', () => {
    expect(computeCost(usage, undefined)).toEqual({ input: 0, output: 0, total: 0 });
  });
});

describe('PromptSize', () => {
  it('only tokenises when the context window is close', () => {
    const prompt = new PromptSize([
      { role: 'user', content: [{ type: 'text', text: 'word '.repeat(1_000) }] },
    ]);
    expect(prompt.exceeds(100_000, 1_000)).toBe(false);
    expect(prompt.exceeds(1_100, 0)).toBe(false);
    expect(prompt.exceeds(1_000, 100)).toBe(true);
  });
});
