const integer = new Intl.NumberFormat('en-US');

/** 12,345 */
export const formatCount = (value: number): string => integer.format(value);

/** US dollars, as the exact decimal the API sent ("0.00038" → "$0.00038"). */
export const formatUsd = (decimal: string): string => `$${decimal}`;

/** 1,234 ms, or 1.23 s from ten seconds on; an em dash without a figure. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value >= 10_000) return `${(value / 1000).toFixed(2)} s`;
  return `${integer.format(Math.round(value))} ms`;
}

/** 0.125 → "12.5%" */
export const formatPercent = (ratio: number): string => `${(ratio * 100).toFixed(ratio === 0 ? 0 : 1)}%`;

export const formatTime = (iso: string): string =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

export const shortId = (id: string): string => id.slice(0, 8);

/** "1 completion", "3 completions" */
export const countOf = (count: number, noun: string): string =>
  `${integer.format(count)} ${noun}${count === 1 ? '' : 's'}`;
