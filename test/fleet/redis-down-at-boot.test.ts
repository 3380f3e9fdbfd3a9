import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, type EmptyDatabase } from '../support/fleet-database.js';
import { type GraphQLBody, queryData } from '../support/graphql.js';
import { type RedisProcess, startRedisProcess } from '../support/redis-process.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { type CollectedSubscription, collectSubscription } from '../support/subscription-collector.js';
import { adminKey } from '../support/test-app.js';

/**
 * Two instances (separate processes) booted while their Redis (a private redis-server) is
 * down: they serve on their own, and become one fleet by themselves once Redis comes up.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function complete(url: string, key: string): Promise<{ status: number; conversationId: string }> {
  const response = await fetch(`${url}/api/v1/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'no redis' }], models: ['local/echo'] }),
  });
  const body = (await response.json()) as { conversationId: string };
  return { status: response.status, conversationId: body.conversationId };
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('instances booted while Redis is down', () => {
  let redis: RedisProcess;
  let database: EmptyDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  const subscriptions: CollectedSubscription<unknown>[] = [];

  beforeAll(async () => {
    [redis, database] = await Promise.all([startRedisProcess(), createEmptyDatabase()]);
    await redis.stop();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: `switchyard-redis-down-${randomUUID()}`,
      ADMIN_API_KEY: adminKey,
      SHUTDOWN_GRACE_MS: '1000',
      LOG_LEVEL: 'info',
    };
    const started = await Promise.allSettled([startServerProcess(env), startServerProcess(env)]);
    const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      await Promise.allSettled(servers.map((server) => server.stop('SIGKILL')));
      throw failed.reason;
    }
    [a, b] = servers as [ServerProcess, ServerProcess];
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(subscriptions.map((subscription) => subscription.close()));
    await Promise.allSettled([a, b].map((server) => server?.stop('SIGKILL')));
    await Promise.allSettled([redis?.stop(), database?.drop()]);
  });

  it('serves without Redis, says so once, and shares everything once Redis comes up', async () => {
    type Events = { completionEvents: { conversationId: string } };
    const isEvent = (id: string) => (result: GraphQLBody<Events>) =>
      result.data?.completionEvents.conversationId === id;
    const watching = collectSubscription<Events>(
      a.url,
      adminKey,
      'subscription { completionEvents { conversationId } }',
    );
    subscriptions.push(watching as CollectedSubscription<unknown>);

    // Limits fall back to in-process counting: a limited key is served, on both instances.
    const { createApiKey } = await queryData<{ createApiKey: { secret: string } }>(
      a.url,
      'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }',
      {
        input: { name: 'limited without redis', limits: { requestsPerMinute: 50, maxConcurrentRequests: 3 } },
      },
    );
    for (const server of [a, b]) {
      expect((await complete(server.url, adminKey)).status).toBe(200);
      expect((await complete(server.url, createApiKey.secret)).status).toBe(200);
    }
    // The subscriber on A hears what A serves (graphql-ws has no subscription acknowledgement:
    // retried until it listens).
    await until(
      async () => {
        const answer = await complete(a.url, adminKey);
        return (await watching.waitFor(isEvent(answer.conversationId), 1_000).catch(() => undefined))
          ? true
          : undefined;
      },
      8_000,
      'a local event',
    );
    for (const server of [a, b]) {
      expect(count(server.output(), 'redis unreachable')).toBe(1);
      expect(server.output()).not.toContain('redis reachable again');
    }

    await redis.start();
    // B's completions reach A's subscriber: both resubscribed and publish through Redis.
    await until(
      async () => {
        const answer = await complete(b.url, adminKey);
        expect(answer.status).toBe(200);
        return (await watching.waitFor(isEvent(answer.conversationId), 500).catch(() => undefined))
          ? true
          : undefined;
      },
      10_000,
      'events from B through Redis',
    );
    // The figures that rank candidates are merged again.
    type Models = { models: { id: string; health: { instances: number } }[] };
    await until(
      async () => {
        await complete(a.url, adminKey);
        const { models } = await queryData<Models>(b.url, '{ models { id health { instances } } }');
        return models.find((model) => model.id === 'local/echo')?.health.instances === 2 ? true : undefined;
      },
      5_000,
      'figures shared',
    );
    for (const server of [a, b]) {
      expect(count(server.output(), 'redis unreachable')).toBe(1);
      expect(count(server.output(), 'redis reachable again')).toBe(1);
    }
  });
});
