import { describe, expect, it } from 'vitest';
import { decimalToScaled, percentileOfCounts, scaledToDecimal } from '../../src/store/usage-distribution.js';

/** percentile_cont over the values themselves, as PostgreSQL defines it. */
function percentileOfValues(values: number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const low = Math.floor(position);
  return sorted[low]! + (sorted[Math.ceil(position)]! - sorted[low]!) * (position - low);
}

const countsOf = (values: number[]) => {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
};

describe('percentiles from counts per value', () => {
  it('equal percentile_cont over the values, repeated values and all', () => {
    let seed = 3;
    const random = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    for (const size of [1, 2, 3, 10, 101, 1000]) {
      const values = Array.from({ length: size }, () => Math.floor(random() * 50) * 10);
      for (const fraction of [0, 0.25, 0.5, 0.95, 0.99, 1]) {
        expect(percentileOfCounts(countsOf(values), fraction)).toBe(percentileOfValues(values, fraction));
      }
    }
  });

  it('answers null without values and the value itself for one', () => {
    expect(percentileOfCounts(new Map(), 0.5)).toBeNull();
    expect(percentileOfCounts(new Map([[42, 7]]), 0.95)).toBe(42);
  });
});

describe('costs as integers of 10⁻¹² dollars', () => {
  it('read and print NUMERIC text without losing a digit', () => {
    const text = '123456789012.123456789012';
    expect(scaledToDecimal(decimalToScaled(text))).toBe(text);
    expect(decimalToScaled('0.1') + decimalToScaled('0.2')).toBe(decimalToScaled('0.3'));
    expect(scaledToDecimal(decimalToScaled('0.1') + decimalToScaled('0.2'))).toBe('0.300000000000');
    expect(scaledToDecimal(decimalToScaled('-1.5'))).toBe('-1.500000000000');
    expect(scaledToDecimal(decimalToScaled('7'))).toBe('7.000000000000');
  });
});
