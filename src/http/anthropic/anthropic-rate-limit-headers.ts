import type { RateLimitState, RateWindow } from '../../limits/rate-limit-state.js';

const window = (suffix: string, state: RateWindow, now: number): Record<string, string> => ({
  [`anthropic-ratelimit-${suffix}-limit`]: String(state.limit),
  [`anthropic-ratelimit-${suffix}-remaining`]: String(state.remaining),
  // Anthropic sends the reset as an RFC 3339 time, not a duration.
  [`anthropic-ratelimit-${suffix}-reset`]: new Date(now + Math.max(0, state.resetMs)).toISOString(),
});

/** Anthropic's names: `anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}`. */
export function anthropicRateLimitHeaders(state: RateLimitState, now: number): Record<string, string> {
  return {
    ...(state.requests ? window('requests', state.requests, now) : {}),
    ...(state.tokens ? window('tokens', state.tokens, now) : {}),
  };
}
