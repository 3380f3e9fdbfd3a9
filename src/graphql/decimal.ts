import { picoToDecimal } from '../catalog/cost.js';

/** A decimal string without superfluous zeros: "0.000380000000" → "0.00038", "2.000" → "2". */
export function trimDecimal(value: string): string {
  if (!value.includes('.')) return value;
  const trimmed = value.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

/** Pico-dollars (integers) as an exact decimal string of dollars. */
export const picoToDecimalString = (pico: number): string => trimDecimal(picoToDecimal(pico));

/** A per-token price in pico-dollars as dollars per million tokens, exactly. */
export const perMTokFromPico = (picoPerToken: number): string =>
  picoToDecimalString(picoPerToken * 1_000_000);
