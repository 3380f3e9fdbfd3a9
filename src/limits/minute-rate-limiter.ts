import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { RateWindow } from './rate-limit-state.js';

export type RateKind = 'requests' | 'tokens';

/** The outcome of counting points against a window. */
export interface RateCount {
  allowed: boolean;
  window: RateWindow;
}

const windowSeconds = 60;

/**
 * Fixed one-minute windows per key (rate-limiter-flexible): in process, or in Redis when a
 * client is given so that every instance counts against the same windows. Should Redis
 * fail, an in-process limiter takes over (rate-limiter-flexible's insurance limiter)
 * rather than refusing all traffic.
 */
export class MinuteRateLimiter {
  /** One limiter per kind and limit: rate-limiter-flexible fixes `points` per limiter. */
  readonly #limiters = new Map<string, RateLimiterAbstract>();

  constructor(
    private readonly redis: Redis | undefined,
    private readonly keyPrefix: string,
  ) {}

  #limiter(kind: RateKind, limit: number): RateLimiterAbstract {
    const id = `${kind}:${limit}`;
    let limiter = this.#limiters.get(id);
    if (!limiter) {
      const memory = new RateLimiterMemory({ points: limit, duration: windowSeconds, keyPrefix: id });
      // The Redis prefix leaves the limit out, so a changed limit keeps the window's count.
      limiter = this.redis
        ? new RateLimiterRedis({
            storeClient: this.redis,
            points: limit,
            duration: windowSeconds,
            keyPrefix: `${this.keyPrefix}rl:${kind}`,
            insuranceLimiter: memory,
            // While Redis is away (from boot on, too), straight to the insurance.
            rejectIfRedisNotReady: true,
          })
        : memory;
      this.#limiters.set(id, limiter);
    }
    return limiter;
  }

  /** Counts `points` against the key's window; a refused count is taken back at once. */
  async consume(kind: RateKind, keyId: string, limit: number, points: number): Promise<RateCount> {
    const limiter = this.#limiter(kind, limit);
    try {
      const res = await limiter.consume(keyId, points);
      return { allowed: true, window: toWindow(limit, res) };
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      // The refused points were counted too; give them back so they do not block requests that fit.
      const after = await limiter.reward(keyId, points).catch(() => error);
      return { allowed: false, window: toWindow(limit, after instanceof RateLimiterRes ? after : error) };
    }
  }

  /** Adds (`points` > 0) or gives back (`points` < 0) points in the key's current window. */
  async adjust(kind: RateKind, keyId: string, limit: number, points: number): Promise<void> {
    if (points === 0) return;
    const limiter = this.#limiter(kind, limit);
    if (points > 0) await limiter.penalty(keyId, points);
    else await limiter.reward(keyId, -points);
  }
}

const toWindow = (limit: number, res: RateLimiterRes): RateWindow => ({
  limit,
  remaining: Math.max(0, limit - res.consumedPoints),
  resetMs: res.msBeforeNext,
});
