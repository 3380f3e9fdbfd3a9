import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, type EmptyDatabase } from '../support/fleet-database.js';
import { type GraphQLBody, queryData } from '../support/graphql.js';
import { type RedisProcess, startRedisProcess } from '../support/redis-process.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { subscribeOverSse } from '../support/sse-subscription.js';
import { type CollectedSubscription, collectSubscription } from '../support/subscription-collector.js';
import { adminKey } from '../support/test-app.js';
import { openaiChat, startUpstream, type Upstream, type UpstreamReply } from '../upstreams/index.js';

/**
 * Three real instances (separate processes) on one PostgreSQL database and one Redis (a
 * private redis-server this suite starts, so it can stop and restart it), behind no proxy:
 * each test talks to the instances directly to prove they behave as one gateway.
 */

const usage = { prompt_tokens: 10, completion_tokens: 10 };
/** Per model the local upstream is asked for (the request's `model`), what it answers. */
const replies: Record<string, () => UpstreamReply> = {
  // Slow enough that racing requests all hold their reservations at once.
  priced: () => ({ ...openaiChat.stream(['Hello', ' there'], { usage }), firstByteDelayMs: 1_200 }),
  slow: () => ({ ...openaiChat.stream(['Hello', ' there'], { usage }), firstByteDelayMs: 1_500 }),
  timed: () => ({
    ...openaiChat.stream(['Hello', ' there'], { usage }),
    firstByteDelayMs: 250,
    chunkDelayMs: 100,
  }),
  quick: () => openaiChat.stream(['Hello', ' there'], { usage }),
  flaky: () => openaiChat.error(500, { message: 'The server had an error', type: 'server_error' }),
};
/** 10 000 $/MTok: one cent a token, so budgets are spent in a few requests. */
const dear = { inputPricePerMTok: 10_000, outputPricePerMTok: 10_000 };
/** Each answer of the upstream costs 20 tokens at those prices. */
const answerCost = 0.2;

const timeoutMs = 2_500;
/** How long a dead instance's reservations and slots are held (see app.ts): 2.5 s + 5 s. */
const heldForMs = timeoutMs + 5_000;

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

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function complete(url: string, key: string, body: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${url}/api/v1/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'fleet' }], models: ['local/echo'], ...body }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const statuses = (answers: Answer[]) => answers.map((answer) => answer.status).sort();

describe('three instances on one PostgreSQL and one Redis', () => {
  let upstream: Upstream;
  let redis: RedisProcess;
  let database: EmptyDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let c: ServerProcess;
  const subscriptions: CollectedSubscription<unknown>[] = [];

  const createKey = async (name: string, limits: Record<string, unknown> = {}) => {
    const data = await queryData<{ createApiKey: { apiKey: { id: string }; secret: string } }>(
      a.url,
      'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } secret } }',
      { input: { name, limits } },
    );
    return { id: data.createApiKey.apiKey.id, secret: data.createApiKey.secret };
  };
  const budgetOf = async (url: string, keyId: string) => {
    const data = await queryData<{
      apiKeys: { id: string; budget: { spent: string; reserved: string } | null }[];
    }>(url, '{ apiKeys { id budget { spent reserved } } }');
    return data.apiKeys.find((key) => key.id === keyId)?.budget;
  };
  const subscribe = <T>(url: string, key: string, query: string, variables: Record<string, unknown> = {}) => {
    const subscription = collectSubscription<T>(url, key, query, variables);
    subscriptions.push(subscription as CollectedSubscription<unknown>);
    return subscription;
  };

  beforeAll(async () => {
    upstream = await startUpstream();
    upstream.replyByDefault((request) => {
      const model = (request.body as { model?: string }).model ?? '';
      return (replies[model] ?? replies.quick!)();
    });
    [redis, database] = await Promise.all([startRedisProcess(), createEmptyDatabase()]);
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-fleet-'));
    const configPath = join(dir, 'switchyard.config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        providers: [
          {
            name: 'acme',
            kind: 'openai-compatible',
            baseURL: `${upstream.url}/v1`,
            apiKeyEnv: 'ACME_API_KEY',
          },
        ],
        models: [
          { id: 'acme/priced', ...dear },
          { id: 'acme/slow', ...dear },
          { id: 'acme/timed', inputPricePerMTok: 1, outputPricePerMTok: 1 },
          { id: 'acme/quick', inputPricePerMTok: 1, outputPricePerMTok: 1 },
          { id: 'acme/flaky', inputPricePerMTok: 1, outputPricePerMTok: 1 },
        ],
        routing: {
          timeoutMs,
          ttftTimeoutMs: 2_000,
          circuitBreaker: { consecutiveFailures: 2, cooldownMs: 60_000 },
        },
      }),
    );
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: `switchyard-fleet-${randomUUID()}`,
      ADMIN_API_KEY: adminKey,
      ACME_API_KEY: 'acme-test-key',
      SWITCHYARD_CONFIG: configPath,
      SHUTDOWN_GRACE_MS: '1000',
      // Info: the "switchyard listening" line names each instance's port.
      LOG_LEVEL: 'info',
    };
    // All three at once, on an empty database: their migrations race.
    const started = await Promise.allSettled([0, 1, 2].map(() => startServerProcess(env)));
    const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      await Promise.allSettled(servers.map((server) => server.stop('SIGKILL')));
      throw failed.reason;
    }
    [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(subscriptions.map((subscription) => subscription.close()));
    await Promise.allSettled([a, b, c].map((server) => server?.stop('SIGKILL')));
    await Promise.allSettled([redis?.stop(), upstream?.close(), database?.drop()]);
  });

  it('migrates the empty database exactly once when all three boot together', async () => {
    const journal = JSON.parse(
      readFileSync(new URL('../../drizzle/meta/_journal.json', import.meta.url), 'utf8'),
    ) as {
      entries: unknown[];
    };
    const [row] = await database.sql<
      { count: number }[]
    >`select count(*)::int as count from drizzle.__drizzle_migrations`;
    expect(row?.count).toBe(journal.entries.length);
    for (const server of [a, b, c]) {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    }
  });

  it('delivers to a subscriber on A the completions served by C, and to a key only its own', async () => {
    const user = await createKey('fleet watcher');
    const fields =
      'id apiKeyId conversationId provider model status usage { promptTokens completionTokens totalTokens totalCost } latency ttft attempts';
    type Events = { completionEvents: { id: string; apiKeyId: string; conversationId: string } };
    const admin = subscribe<Events>(a.url, adminKey, `subscription { completionEvents { ${fields} } }`);
    const own = subscribe<Events>(b.url, user.secret, `subscription { completionEvents { ${fields} } }`);
    // A dashboard over SSE on B too.
    const overSse = await subscribeOverSse(
      b.url,
      adminKey,
      `subscription { completionEvents { ${fields} } }`,
    );
    /** REST answers name their conversation (new for each of these requests), not the completion's id. */
    const isEvent = (id: unknown) => (result: GraphQLBody<Events>) =>
      result.data?.completionEvents.conversationId === id;

    // graphql-ws has no acknowledgement of a subscription: the first completion is retried
    // until the subscriber is known to be listening.
    const first = await until(
      async () => {
        const answer = await complete(c.url, adminKey, {});
        return (await admin.waitFor(isEvent(answer.body.conversationId), 1_000).catch(() => undefined))
          ? answer
          : undefined;
      },
      8_000,
      'the first event',
    );
    const event = (await admin.waitFor(isEvent(first.body.conversationId))).data!.completionEvents;
    const sseEvent = await overSse.waitFor(
      (payload) =>
        (payload.data as Events | undefined)?.completionEvents.conversationId === first.body.conversationId,
    );
    expect((sseEvent.data as Events).completionEvents).toEqual(event);
    await overSse.close();
    expect(event).toMatchObject({
      provider: 'local',
      model: 'echo',
      status: 'SUCCEEDED',
      attempts: 1,
      conversationId: first.body.conversationId,
      usage: { totalCost: '0' },
    });

    const mine = await complete(c.url, user.secret, {});
    expect(mine.status).toBe(200);
    await own.waitFor(isEvent(mine.body.conversationId));
    await admin.waitFor(isEvent(mine.body.conversationId));
    // The user's subscription never saw the admin's completion.
    expect(own.results.some(isEvent(first.body.conversationId))).toBe(false);
    expect(own.results.every((result) => result.data?.completionEvents.apiKeyId === user.id)).toBe(true);

    // Turns appended to the user's conversation on C reach its subscriber on A.
    type Turns = {
      conversationEvents: { conversationId: string; isNew: boolean; messages: { role: string }[] };
    };
    const turns = subscribe<Turns>(
      a.url,
      user.secret,
      'subscription ($id: ID!) { conversationEvents(id: $id) { conversationId isNew messages { role content { text } } } }',
      { id: mine.body.conversationId },
    );
    await until(
      async () => {
        const more = await complete(c.url, user.secret, { conversationId: mine.body.conversationId });
        expect(more.status).toBe(200);
        return (await turns.waitFor((result) => result.data !== undefined, 1_000).catch(() => undefined))
          ? true
          : undefined;
      },
      8_000,
      'a conversation event',
    );
    expect(turns.results[0]!.data!.conversationEvents).toMatchObject({
      conversationId: mine.body.conversationId,
      isNew: false,
      messages: [{ role: 'USER' }, { role: 'ASSISTANT' }],
    });

    // Someone else's conversation is not found, on any instance.
    const other = subscribe<Turns>(
      b.url,
      user.secret,
      'subscription ($id: ID!) { conversationEvents(id: $id) { conversationId } }',
      { id: first.body.conversationId },
    );
    const refused = await other.waitFor((result) => result.errors !== undefined);
    expect(refused.errors![0]!.extensions?.code).toBe('NOT_FOUND');
  });

  it('ranks on every instance with the latency figures of the whole fleet', async () => {
    // A alone sees acme/timed (250 ms to the first token, then slow), C alone sees acme/quick.
    for (let i = 0; i < 3; i++) {
      expect((await complete(a.url, adminKey, { models: ['acme/timed'] })).status).toBe(200);
      expect((await complete(c.url, adminKey, { models: ['acme/quick'] })).status).toBe(200);
    }
    type Models = {
      models: { id: string; health: { attempts: number; ttftP50: number | null; instances: number } }[];
    };
    const merged = await until(
      async () => {
        const { models } = await queryData<Models>(
          b.url,
          '{ models { id health { attempts ttftP50 instances } } }',
        );
        const timed = models.find((model) => model.id === 'acme/timed')?.health;
        const quick = models.find((model) => model.id === 'acme/quick')?.health;
        return timed && quick && timed.attempts >= 3 && quick.attempts >= 3 && timed.instances === 3
          ? { timed, quick }
          : undefined;
      },
      4_000,
      'figures merged on B',
    );
    expect(merged.timed.ttftP50).toBeGreaterThanOrEqual(200);
    expect(merged.quick.ttftP50!).toBeLessThan(merged.timed.ttftP50!);
    // B has served neither, yet ranks the faster one first.
    const ranked = await complete(b.url, adminKey, {
      models: ['acme/timed', 'acme/quick'],
      strategy: 'fastest',
    });
    expect(ranked.status).toBe(200);
    expect(ranked.body.model).toBe('quick');
  });

  it('avoids on B and C, within a second, a circuit opened on A', async () => {
    type Health = { models: { id: string; health: { circuit: string } }[] };
    const circuitOn = async (server: ServerProcess) => {
      const { models } = await queryData<Health>(server.url, '{ models { id health { circuit } } }');
      return models.find((model) => model.id === 'acme/flaky')?.health.circuit;
    };
    await until(
      async () => {
        await complete(a.url, adminKey, { models: ['acme/flaky'] });
        return (await circuitOn(a)) === 'OPEN' ? true : undefined;
      },
      8_000,
      'the circuit opening on A',
    );
    const openedAt = Date.now();
    await until(async () => ((await circuitOn(b)) === 'OPEN' ? true : undefined), 1_000, 'open on B');
    await until(async () => ((await circuitOn(c)) === 'OPEN' ? true : undefined), 1_000, 'open on C');
    expect(Date.now() - openedAt).toBeLessThan(1_000);

    const calls = () =>
      upstream.received.filter((request) => (request.body as { model?: string }).model === 'flaky').length;
    const before = calls();
    for (const server of [b, c]) {
      const answer = await complete(server.url, adminKey, {
        models: ['acme/flaky', 'local/echo'],
        strategy: 'ordered',
      });
      expect(answer.status).toBe(200);
      expect(answer.body.provider).toBe('local');
    }
    expect(calls()).toBe(before);
  });

  it('holds rate and concurrency limits exactly across instances', async () => {
    const servers = [a, b, c];
    const rated = await createKey('fleet rate', { requestsPerMinute: 5 });
    const rateAnswers = await Promise.all(
      Array.from({ length: 9 }, (_, i) => complete(servers[i % 3]!.url, rated.secret, {})),
    );
    expect(statuses(rateAnswers)).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429]);

    const narrow = await createKey('fleet concurrency', { maxConcurrentRequests: 2 });
    const concurrent = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        complete(servers[i % 3]!.url, narrow.secret, { models: ['acme/slow'] }),
      ),
    );
    expect(statuses(concurrent)).toEqual([200, 200, 429, 429, 429, 429]);
  });

  it('keeps a budget exact under a race spread over the instances', async () => {
    const budgetUsd = 3;
    const key = await createKey('fleet budget', { budgetUsd: String(budgetUsd) });
    const servers = [a, b, c];
    const answers = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        complete(servers[i % 3]!.url, key.secret, { models: ['acme/priced'], maxTokens: 50 }),
      ),
    );
    const served = answers.filter((answer) => answer.status === 200).length;
    const refused = answers.filter((answer) => answer.status === 402);
    expect(served + refused.length).toBe(15);
    // Each request reserves its largest possible cost, named by the refusals.
    const reservation = Number(
      /\(\$([0-9.]+)\)/.exec(String((refused[0]?.body.error as { message?: string })?.message))?.[1],
    );
    expect(reservation).toBeGreaterThan(answerCost);
    expect(served).toBe(Math.floor(budgetUsd / reservation + 1e-9));
    const budget = await until(
      async () => {
        const status = await budgetOf(b.url, key.id);
        return status && Number(status.reserved) === 0 ? status : undefined;
      },
      3_000,
      'every reservation settled',
    );
    expect(Number(budget.spent)).toBeCloseTo(served * answerCost, 9);
  });

  it('refuses on B and C, from the next request, a key revoked through A, and ends its subscription', async () => {
    const key = await createKey('fleet revoked');
    type Events = { completionEvents: { id: string; conversationId: string } };
    const watching = subscribe<Events>(
      b.url,
      key.secret,
      'subscription { completionEvents { id conversationId } }',
    );
    // Every instance holds the key in its cache; new limits set through A hold on B at once.
    for (const server of [a, b, c]) expect((await complete(server.url, key.secret, {})).status).toBe(200);
    await queryData(
      a.url,
      'mutation ($id: ID!, $limits: ApiKeyLimitsInput!) { setApiKeyLimits(id: $id, limits: $limits) { id } }',
      { id: key.id, limits: { allowedModels: ['acme/quick'] } },
    );
    expect((await complete(b.url, key.secret, {})).status).toBe(422);
    for (const server of [b, c])
      expect((await complete(server.url, key.secret, { models: ['acme/quick'] })).status).toBe(200);
    const startedAt = Date.now();
    await queryData(a.url, 'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id });
    // It returned once B and C had acknowledged dropping the key, not by waiting out the bound.
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(
      await Promise.all([b, c].map(async (server) => (await complete(server.url, key.secret, {})).status)),
    ).toEqual([401, 401]);
    const ended = await watching.waitFor((result) => result.errors !== undefined, 5_000);
    expect(ended.errors![0]!.extensions?.code ?? ended.errors![0]!.message).toMatch(
      /UNAUTHENTICATED|revoked/,
    );
    expect(await Promise.race([watching.ended, sleep(2_000).then(() => 'open')])).not.toBe('open');
  });

  it('survives Redis going away and coming back: no request fails, subscriptions resume', async () => {
    type Events = { completionEvents: { id: string; conversationId: string } };
    const watching = subscribe<Events>(
      a.url,
      adminKey,
      'subscription { completionEvents { id conversationId } }',
    );
    const isEvent = (id: unknown) => (result: GraphQLBody<Events>) =>
      result.data?.completionEvents.conversationId === id;
    await until(
      async () => {
        const answer = await complete(c.url, adminKey, {});
        return (await watching.waitFor(isEvent(answer.body.conversationId), 1_000).catch(() => undefined))
          ? true
          : undefined;
      },
      8_000,
      'the subscription listening',
    );
    const limited = await createKey('fleet during outage', {
      requestsPerMinute: 100,
      maxConcurrentRequests: 5,
    });

    await redis.stop();
    for (const server of [a, b, c]) {
      expect((await complete(server.url, adminKey, {})).status).toBe(200);
      expect((await complete(server.url, limited.secret, {})).status).toBe(200);
    }
    // Meanwhile the subscriber still hears what its own instance serves.
    const local = await complete(a.url, adminKey, {});
    await watching.waitFor(isEvent(local.body.conversationId), 2_000);

    await redis.start();
    await until(
      async () => {
        const answer = await complete(c.url, adminKey, {});
        expect(answer.status).toBe(200);
        return (await watching.waitFor(isEvent(answer.body.conversationId), 500).catch(() => undefined))
          ? true
          : undefined;
      },
      10_000,
      'events from C again after Redis came back',
    );
    type Models = { models: { id: string; health: { instances: number } }[] };
    await until(
      async () => {
        const { models } = await queryData<Models>(b.url, '{ models { id health { instances } } }');
        return models.find((model) => model.id === 'local/echo')?.health.instances === 3 ? true : undefined;
      },
      5_000,
      'figures shared again',
    );
  });

  it('costs only its own in-flight requests when an instance is killed, and reclaims what it held', async () => {
    // Same prompt and bound as the budget race: the same reservation, named in its refusals.
    const probe = await createKey('fleet probe', { budgetUsd: '0.01' });
    const refusal = await complete(a.url, probe.secret, { models: ['acme/slow'], maxTokens: 50 });
    const reservation = Number(
      /\(\$([0-9.]+)\)/.exec(String((refusal.body.error as { message: string }).message))?.[1],
    );
    // Room for two requests in flight and half of a third.
    const key = await createKey('fleet victim', {
      maxConcurrentRequests: 2,
      budgetUsd: (reservation * 2.5).toFixed(6),
    });
    const slowCalls = () =>
      upstream.received.filter((request) => (request.body as { model?: string }).model === 'slow').length;
    const before = slowCalls();
    const onB = [0, 1].map(() =>
      complete(b.url, key.secret, { models: ['acme/slow'], maxTokens: 50 }).then(
        (answer) => answer.status,
        () => 'cut',
      ),
    );
    const others = Array.from({ length: 6 }, (_, i) =>
      complete([a, c][i % 2]!.url, adminKey, { models: ['acme/priced'] }),
    );
    await until(async () => (slowCalls() - before >= 2 ? true : undefined), 5_000, 'both requests upstream');
    const killedAt = Date.now();
    await b.stop('SIGKILL');

    expect(await Promise.all(onB)).toEqual(['cut', 'cut']);
    expect(statuses(await Promise.all(others))).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await complete(a.url, adminKey, {})).status).toBe(200);

    // The dead instance's two slots and reservations still hold the key…
    const held = await complete(a.url, key.secret, { models: ['acme/slow'], maxTokens: 50 });
    expect(held.status).toBe(429);
    expect(Number((await budgetOf(a.url, key.id))?.reserved)).toBeCloseTo(reservation * 2, 4);
    // …until they expire, and then the key works again on the living instances.
    const freed = await until(
      async () => {
        const answer = await complete(c.url, key.secret, { models: ['acme/priced'], maxTokens: 50 });
        return answer.status === 200 ? answer : undefined;
      },
      heldForMs + 6_000,
      'the dead instance’s holds expiring',
    );
    expect(Date.now() - killedAt).toBeLessThan(heldForMs + 6_000);
    expect(freed.body.provider).toBe('acme');
    // The dead instance's reservations are released by the first request that does not fit
    // beside them, and each expires on its own: when the two were made far apart (a busy
    // machine), the request above may have found one expired and the other not yet, and fit
    // beside the one left. A request that needs most of the budget fits beside neither, so it
    // sweeps whatever has expired by then; once it is answered nothing is held any more.
    const budget = await until(
      async () => {
        const answer = await complete(c.url, key.secret, { models: ['acme/priced'], maxTokens: 90 });
        if (answer.status !== 200) return undefined;
        const status = await budgetOf(a.url, key.id);
        return status && Number(status.reserved) === 0 ? status : undefined;
      },
      3_000,
      'the reservations swept',
    );
    expect(Number(budget.spent)).toBeGreaterThan(0);
  });
});
