/** One per-minute window of a key, as the headers report it. */
export interface RateWindow {
  limit: number;
  remaining: number;
  /** Milliseconds until the window starts over. */
  resetMs: number;
}

/** The key's rate-limit windows after this request was counted; absent windows are not limited. */
export interface RateLimitState {
  requests?: RateWindow;
  tokens?: RateWindow;
}
