import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { RedisConcurrencyLimiter } from '../../src/limits/concurrency-limiter.js';
import { adminKey } from '../support/test-app.js';
import { createTestDatabase, drivers, type TestDatabase } from '../support/test-database.js';

/** The Redis that CI and every development machine run (SPEC: 127.0.0.1:6379), unless told otherwise. */
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.each(drivers)('limits shared through Redis on %s', (driver) => {
  let testDb: TestDatabase;
  const apps: App[] = [];
  // Unique per run, so concurrent runs and earlier counts cannot meet in one Redis.
  const prefix = `switchyard-test:${randomUUID()}:`;

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    for (let i = 0; i < 2; i++) {
      const config = loadConfig({
        HOST: '127.0.0.1',
        PORT: '0',
        ADMIN_API_KEY: adminKey,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
      });
      const app = await createApp({ config, database: testDb.database, logger: pino({ level: 'silent' }) });
      await app.start();
      apps.push(app);
    }
  });
  afterAll(async () => {
    // Both instances share one database handle: stop the servers, close it once.
    for (const app of apps) await app.stop().catch(() => {});
    await testDb.drop().catch(() => {});
  });

  const post = (app: App, key: string) =>
    fetch(`${app.url}/api/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'shared' }], models: ['local/echo'] }),
    });

  it('counts requests per minute across two instances', async () => {
    const key = await apps[0]!.apiKeys.create('shared', ['user'], { limits: { requestsPerMinute: 4 } });
    for (const [i, remaining] of [3, 2, 1, 0].entries()) {
      const response = await post(apps[i % 2]!, key.secret);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-remaining')).toBe(String(remaining));
      await response.body?.cancel();
    }
    for (const app of apps) {
      const refused = await post(app, key.secret);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await refused.body?.cancel();
    }
  });

  it('holds a concurrency limit across instances', async () => {
    const clients = [new Redis(redisUrl!), new Redis(redisUrl!)];
    try {
      const [a, b] = clients.map((client) => new RedisConcurrencyLimiter(client, prefix, 60_000));
      const keyId = randomUUID();
      const first = await a!.acquire(keyId, 2);
      const second = await b!.acquire(keyId, 2);
      expect(first).toBeDefined();
      expect(second).toBeDefined();
      expect(await a!.acquire(keyId, 2)).toBeUndefined();
      expect(await b!.acquire(keyId, 2)).toBeUndefined();
      await first!();
      await first!();
      const third = await b!.acquire(keyId, 2);
      expect(third).toBeDefined();
      expect(await a!.acquire(keyId, 2)).toBeUndefined();
      await second!();
      await third!();
    } finally {
      for (const client of clients) client.disconnect();
    }
  });
});
