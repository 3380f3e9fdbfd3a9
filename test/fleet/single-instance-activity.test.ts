import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/routing/clock.js';
import { HealthTracker } from '../../src/routing/health-tracker.js';
import { type CollectedSubscription, collectSubscription } from '../support/subscription-collector.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';

/** Without Redis the activity subscriptions work within one instance (SPEC §11). */
describe('activity subscriptions without Redis', () => {
  let t: TestApp;
  const subscriptions: CollectedSubscription<unknown>[] = [];
  beforeAll(async () => {
    t = await startTestApp({ driver: 'pglite' });
  });
  afterAll(async () => {
    await Promise.allSettled(subscriptions.map((subscription) => subscription.close()));
    await t.close();
  });

  it('delivers each finished completion, after it is stored, with its usage, cost and attempts', async () => {
    type Events = {
      completionEvents: {
        conversationId: string;
        status: string;
        attempts: number;
        usage: { totalCost: string };
      };
    };
    const watching = collectSubscription<Events>(
      t.url,
      adminKey,
      'subscription { completionEvents { conversationId status attempts usage { totalCost } } }',
    );
    subscriptions.push(watching as CollectedSubscription<unknown>);
    let conversationId: string | undefined;
    for (let tries = 0; tries < 10 && !conversationId; tries++) {
      const response = await t.post('/api/v1/completions', {
        messages: [{ role: 'user', content: 'watch me' }],
        models: ['local/echo'],
      });
      const body = (await response.json()) as { conversationId: string };
      const seen = await watching
        .waitFor((result) => result.data?.completionEvents.conversationId === body.conversationId, 500)
        .catch(() => undefined);
      if (seen) conversationId = body.conversationId;
    }
    expect(conversationId).toBeDefined();
    const event = watching.results.find(
      (result) => result.data?.completionEvents.conversationId === conversationId,
    );
    expect(event?.data?.completionEvents).toEqual({
      conversationId,
      status: 'SUCCEEDED',
      attempts: 1,
      usage: { totalCost: '0' },
    });
    // Published after the write: the conversation is already readable.
    const stored = await t.db.database.db.query.conversations.findFirst({
      where: (conversations, { eq }) => eq(conversations.id, conversationId!),
    });
    expect(stored).toBeDefined();
  });
});

describe('shutting down with a dashboard subscribed', () => {
  it('ends activity subscriptions at once instead of waiting out the grace period', async () => {
    const t = await startTestApp({ driver: 'pglite' });
    const watching = collectSubscription(t.url, adminKey, 'subscription { completionEvents { id } }');
    // Subscribed once a completion's event arrives (graphql-ws does not acknowledge subscriptions).
    for (let tries = 0; tries < 10 && watching.results.length === 0; tries++) {
      await t.post('/api/v1/completions', {
        messages: [{ role: 'user', content: 'hi' }],
        models: ['local/echo'],
      });
      await watching.waitFor(() => true, 500).catch(() => undefined);
    }
    expect(watching.results.length).toBeGreaterThan(0);
    const started = Date.now();
    await t.close();
    // The test app's grace period is 2 s.
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await watching.ended).toBe('complete');
    await watching.close();
  });
});

describe('latency figures merged over the fleet', () => {
  it('weights each instance’s figures by its traffic and forgets an instance that left', () => {
    const health = new HealthTracker(systemClock);
    for (let i = 0; i < 3; i++)
      health.recordSuccess('p/m', { ttftMs: 100, latencyMs: 200, completionTokens: 11 });
    expect(health.estimate('p/m').ttftMs).toBe(100);
    health.mergeRemote('other', {
      'p/m': { attempts: 9, failed: 3, ttftMs: 500, msPerOutputToken: 10, samples: 6, ttftP50Ms: 500 },
    });
    const merged = health.estimate('p/m');
    // 3 local attempts at 100 ms, 9 remote at 500 ms.
    expect(merged.ttftMs).toBeCloseTo((3 * 100 + 9 * 500) / 12, 6);
    expect(merged.errorRate).toBeCloseTo(3 / 12, 6);
    expect(health.snapshot('p/m')).toMatchObject({ attempts: 12, instances: 2 });
    health.forgetRemote('other');
    expect(health.estimate('p/m').ttftMs).toBe(100);
    expect(health.snapshot('p/m').instances).toBeUndefined();
  });

  it('opens a circuit another instance holds open when this one missed the change', () => {
    const health = new HealthTracker(systemClock);
    health.mergeRemote('other', { 'p/down': { attempts: 5, failed: 5, samples: 0, openForMs: 10_000 } });
    expect(health.available('p/down')).toBe(false);
  });
});
