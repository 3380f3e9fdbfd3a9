/** The longest wait we take from a header: anything beyond is treated as "much later". */
const maxRetryAfterMs = 24 * 60 * 60 * 1000;

const clamp = (ms: number): number => Math.min(Math.max(0, Math.round(ms)), maxRetryAfterMs);

/**
 * How long an upstream asks us to wait, from `retry-after-ms` (milliseconds, OpenAI's
 * extension) or `retry-after` (seconds, or an HTTP date). Undefined when absent or unreadable.
 */
export function parseRetryAfter(
  headers: Readonly<Record<string, string | undefined>> | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const lookup = (name: string): string | undefined => {
    for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value?.trim();
    return undefined;
  };
  const ms = lookup('retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return clamp(Number(ms));
  const value = lookup('retry-after');
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return clamp(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : clamp(date - now);
}
