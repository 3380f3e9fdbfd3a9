import { describe, expect, it } from 'vitest';
import { openAiRateLimitHeaders, restRateLimitHeaders } from '../../src/limits/rate-limit-headers.js';

const state = {
  requests: { limit: 60, remaining: 59, resetMs: 59_001 },
  tokens: { limit: 1000, remaining: 250, resetMs: 61_000 },
};

describe('rate-limit headers', () => {
  it('names the request window X-RateLimit-* and the token window X-RateLimit-*-Tokens on REST', () => {
    expect(restRateLimitHeaders(state)).toEqual({
      'x-ratelimit-limit': '60',
      'x-ratelimit-remaining': '59',
      'x-ratelimit-reset': '60',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '250',
      'x-ratelimit-reset-tokens': '61',
    });
  });

  it('falls back to the token window for X-RateLimit-* when the key has no request limit', () => {
    expect(restRateLimitHeaders({ tokens: state.tokens })).toMatchObject({
      'x-ratelimit-limit': '1000',
      'x-ratelimit-remaining': '250',
    });
    expect(restRateLimitHeaders({})).toEqual({});
  });

  it("uses OpenAI's names and duration style on the OpenAI-compatible surface", () => {
    expect(openAiRateLimitHeaders(state)).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1m0s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '250',
      'x-ratelimit-reset-tokens': '1m1s',
    });
  });
});
