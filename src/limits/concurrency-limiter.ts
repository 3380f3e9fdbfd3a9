import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Frees a held slot; safe to call more than once. */
export type ReleaseSlot = () => Promise<void>;

/** Counts a key's requests in flight; `acquire` answers undefined when the key is at its limit. */
export interface ConcurrencyLimiter {
  acquire(keyId: string, limit: number): Promise<ReleaseSlot | undefined>;
}

/** Exact in one process. */
export class MemoryConcurrencyLimiter implements ConcurrencyLimiter {
  readonly #inFlight = new Map<string, number>();

  async acquire(keyId: string, limit: number): Promise<ReleaseSlot | undefined> {
    const current = this.#inFlight.get(keyId) ?? 0;
    if (current >= limit) return undefined;
    this.#inFlight.set(keyId, current + 1);
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      const left = (this.#inFlight.get(keyId) ?? 1) - 1;
      if (left <= 0) this.#inFlight.delete(keyId);
      else this.#inFlight.set(keyId, left);
    };
  }
}

/**
 * One sorted set per key in Redis, a member per request scored by its start (Redis's own
 * clock). Checking and adding is one Lua script, so instances cannot both take the last
 * slot. A slot older than `slotTtlMs` is dropped, so an instance that died mid-request does
 * not hold its slots for ever.
 */
const acquireScript = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], nowMs, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

export class RedisConcurrencyLimiter implements ConcurrencyLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly slotTtlMs: number,
    /** Used while Redis fails, like the rate limiters' insurance. */
    private readonly fallback: ConcurrencyLimiter = new MemoryConcurrencyLimiter(),
  ) {}

  async acquire(keyId: string, limit: number): Promise<ReleaseSlot | undefined> {
    const key = `${this.keyPrefix}cc:${keyId}`;
    const member = randomUUID();
    let taken: unknown;
    try {
      taken = await this.redis.eval(acquireScript, 1, key, limit, this.slotTtlMs, member);
    } catch {
      return this.fallback.acquire(keyId, limit);
    }
    if (taken !== 1) return undefined;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await this.redis.zrem(key, member).catch(() => {});
    };
  }
}
