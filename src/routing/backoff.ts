/** Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^retry)). */
export function backoffDelay(retry: number, random: () => number, baseMs = 250, capMs = 8_000): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** retry));
}
