import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/providers/parse-retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');

  it('prefers retry-after-ms, then retry-after in seconds or as an HTTP date', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '250.5', 'retry-after': '9' }, now)).toBe(251);
    expect(parseRetryAfter({ 'Retry-After': '2' }, now)).toBe(2000);
    expect(parseRetryAfter({ 'retry-after': 'Thu, 26 Nov 2026 12:00:30 GMT' }, now)).toBe(30_000);
  });

  it('treats a date in the past as no wait, and ignores what it cannot read', () => {
    expect(parseRetryAfter({ 'retry-after': 'Thu, 26 Nov 2026 11:00:00 GMT' }, now)).toBe(0);
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after-ms': '-5' }, now)).toBeUndefined();
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
