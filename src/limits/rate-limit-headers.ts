import type { RateLimitState, RateWindow } from './rate-limit-state.js';

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * REST headers: `X-RateLimit-Limit`, `-Remaining` and `-Reset` (seconds until the window
 * starts over) describe the requests-per-minute window, or the tokens-per-minute one when
 * the key has no request limit; `X-RateLimit-*-Tokens` always describe tokens.
 */
export function restRateLimitHeaders(state: RateLimitState): Record<string, string> {
  const headers: Record<string, string> = {};
  const main = state.requests ?? state.tokens;
  if (main) {
    headers['x-ratelimit-limit'] = String(main.limit);
    headers['x-ratelimit-remaining'] = String(main.remaining);
    headers['x-ratelimit-reset'] = String(seconds(main.resetMs));
  }
  if (state.tokens) {
    headers['x-ratelimit-limit-tokens'] = String(state.tokens.limit);
    headers['x-ratelimit-remaining-tokens'] = String(state.tokens.remaining);
    headers['x-ratelimit-reset-tokens'] = String(seconds(state.tokens.resetMs));
  }
  return headers;
}

/** OpenAI's duration style for reset headers, e.g. `1m0s`, `12s`. */
const openAiDuration = (ms: number): string => {
  const total = seconds(ms);
  return total >= 60 ? `${Math.floor(total / 60)}m${total % 60}s` : `${total}s`;
};

const openAiWindow = (suffix: string, window: RateWindow): Record<string, string> => ({
  [`x-ratelimit-limit-${suffix}`]: String(window.limit),
  [`x-ratelimit-remaining-${suffix}`]: String(window.remaining),
  [`x-ratelimit-reset-${suffix}`]: openAiDuration(window.resetMs),
});

/** The OpenAI-compatible surface's names: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`. */
export function openAiRateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    ...(state.requests ? openAiWindow('requests', state.requests) : {}),
    ...(state.tokens ? openAiWindow('tokens', state.tokens) : {}),
  };
}
