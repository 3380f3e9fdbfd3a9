import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/routing/clock.js';
import { HealthTracker } from '../../src/routing/health-tracker.js';
import { RedisClients } from '../../src/shared-state/redis-clients.js';
import { type HealthSync, shareHealthThroughRedis } from '../../src/shared-state/redis-health-sync.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const until = async (condition: () => boolean, timeoutMs = 3_000) => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('circuit breakers shared through Redis', () => {
  const syncs: HealthSync[] = [];
  const connections: RedisClients[] = [];
  afterAll(async () => {
    await Promise.all(syncs.map((sync) => sync.close()));
    await Promise.all(connections.map((redis) => redis.close()));
  });

  it('opens and closes a model on every instance when one instance sees it fail and recover', async () => {
    const prefix = `switchyard-test-${randomUUID()}`;
    const settings = {
      consecutiveFailures: 2,
      failureRate: 1,
      minimumAttempts: 100,
      windowMs: 60_000,
      cooldownMs: 50,
    };
    const a = new HealthTracker(systemClock, settings);
    const b = new HealthTracker(systemClock, settings);
    const logger = pino({ level: 'silent' });
    for (const tracker of [a, b]) {
      const redis = new RedisClients(redisUrl, logger);
      connections.push(redis);
      syncs.push(shareHealthThroughRedis(tracker, { redis, prefix, logger }));
      await redis.settled();
    }

    a.recordFailure('p/flaky', 'server_error');
    a.recordFailure('p/flaky', 'server_error');
    expect(a.available('p/flaky')).toBe(false);
    await until(() => !b.available('p/flaky'));
    expect(b.snapshot('p/flaky').circuit).toBe('open');

    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(a.tryAcquire('p/flaky')).toBe(true);
    a.recordSuccess('p/flaky', { ttftMs: 10, latencyMs: 20, completionTokens: 3 });
    await until(() => b.snapshot('p/flaky').circuit === 'closed');
  });
});
