import type { Usage } from '../core/usage.js';
import type { ModelPrices } from './model-info.js';

/** Costs in pico-dollars (integers). */
export interface Cost {
  input: number;
  output: number;
  total: number;
}

/** Cost of a completion: cached input at its own price, reasoning billed as output. */
export function computeCost(usage: Usage, prices: ModelPrices | undefined): Cost {
  if (!prices) return { input: 0, output: 0, total: 0 };
  const cached = Math.min(usage.cachedTokens, usage.promptTokens);
  const input = (usage.promptTokens - cached) * prices.input + cached * prices.cachedInput;
  const output = usage.completionTokens * prices.output;
  return { input, output, total: input + output };
}

const picoPerDollar = 1_000_000_000_000n;

/** Pico-dollars → an exact decimal string of dollars with 12 places, for NUMERIC columns. */
export function picoToDecimal(pico: number): string {
  const value = BigInt(pico);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / picoPerDollar}.${(abs % picoPerDollar).toString().padStart(12, '0')}`;
}

/** Pico-dollars → dollars as a JSON number (0.00038 prints as 0.00038). */
export const picoToDollars = (pico: number): number => Number(picoToDecimal(pico));
