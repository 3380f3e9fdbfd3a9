import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, budgetReservations } from '../../src/db/schema.js';
import type { KeyLimitsPatch } from '../../src/limits/key-limits.js';
import { BudgetStore } from '../../src/store/budget-store.js';
import { readSseEvents } from '../support/sse.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

/** Prices that make local/echo cost something: 1 $/MTok in, 2 $/MTok out (pico-dollars per token: 1e6, 2e6). */
const inputPico = 1_000_000;
const outputPico = 2_000_000;
const configFile = {
  models: [
    { id: 'local/echo', inputPricePerMTok: 1, outputPricePerMTok: 2 },
    { id: 'local/nope', inputPricePerMTok: 1, outputPricePerMTok: 2 },
  ],
};

const picoOf = (dollars: number | string): number => Math.round(Number(dollars) * 1e12);
const dollarsOf = (pico: number): string => (pico / 1e12).toFixed(12);

const echo = (text: string, extra: Record<string, unknown> = {}) => ({
  messages: [{ role: 'user', content: text }],
  models: ['local/echo'],
  ...extra,
});

describe.each(drivers)('API key limits on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ driver, configFile });
  });
  afterAll(() => t.close());

  const newKey = async (limits: KeyLimitsPatch) => t.app.apiKeys.create('limited', ['user'], { limits });
  const budgetOf = async (id: string) => (await t.app.apiKeys.get(id))!.budget!;

  /** Prompt and completion tokens of an echo of `text`, measured with the (unlimited) admin key. */
  const measure = async (text: string) => {
    const response = await t.post('/api/v1/completions', echo(text));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
    const { usage } = await response.json();
    return { prompt: usage.promptTokens as number, completion: usage.completionTokens as number };
  };

  it('lets exactly as many of 50 racing requests through as the budget fits, and stores their exact spend', async () => {
    const text = 'Budgets must hold under concurrency.';
    const { prompt, completion } = await measure(text);
    // With maxTokens equal to what echo answers, the reservation is exactly the actual cost.
    const perRequest = prompt * inputPico + completion * outputPico;
    const key = await newKey({ budgetUsd: dollarsOf(10 * perRequest) });

    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.post('/api/v1/completions', echo(text, { maxTokens: completion }), key.secret),
      ),
    );
    const bodies = await Promise.all(responses.map((response) => response.json()));
    const succeeded = bodies.filter((_, i) => responses[i]!.status === 200);
    expect(succeeded).toHaveLength(10);
    for (const [i, response] of responses.entries()) {
      if (response.status === 200) continue;
      expect(response.status).toBe(402);
      expect(bodies[i].error.code).toBe('budget_exceeded');
    }
    const costs = succeeded.map((body) => picoOf(body.usage.costs.total_tokens_cost));
    expect(costs.every((cost) => cost === perRequest)).toBe(true);

    const budget = await budgetOf(key.id);
    expect(picoOf(budget.spentUsd)).toBe(costs.reduce((sum, cost) => sum + cost, 0));
    expect(picoOf(budget.spentUsd)).toBe(10 * perRequest);
    expect(budget.reservedUsd).toBe('0');
    expect(budget.remainingUsd).toBe('0');

    const after = await t.post('/api/v1/completions', echo(text, { maxTokens: completion }), key.secret);
    expect(after.status).toBe(402);
  });

  it('settles to the actual cost: an unused part of maxTokens goes back to the budget', async () => {
    const text = 'settle me';
    const { prompt, completion } = await measure(text);
    const reservation = prompt * inputPico + 50 * outputPico;
    const actual = prompt * inputPico + completion * outputPico;
    const key = await newKey({ budgetUsd: dollarsOf(reservation) });

    const first = await t.post('/api/v1/completions', echo(text, { maxTokens: 50 }), key.secret);
    expect(first.status).toBe(200);
    const budget = await budgetOf(key.id);
    expect(picoOf(budget.spentUsd)).toBe(actual);
    expect(budget.reservedUsd).toBe('0');
    // The whole reservation no longer fits, a smaller one does.
    expect((await t.post('/api/v1/completions', echo(text, { maxTokens: 50 }), key.secret)).status).toBe(402);
    expect(
      (await t.post('/api/v1/completions', echo(text, { maxTokens: completion }), key.secret)).status,
    ).toBe(200);
  });

  it('releases the reservation of a request that fails upstream', async () => {
    const text = 'this model does not exist';
    const { prompt } = await measure(text);
    const key = await newKey({ budgetUsd: dollarsOf(prompt * inputPico + 10 * outputPico) });
    for (let i = 0; i < 3; i++) {
      const response = await t.post(
        '/api/v1/completions',
        { ...echo(text, { maxTokens: 10, maxRetries: 0 }), models: ['local/nope'] },
        key.secret,
      );
      // Had the first reservation leaked, the second request would get 402.
      expect(response.status).toBe(502);
    }
    const budget = await budgetOf(key.id);
    expect(budget).toMatchObject({ spentUsd: '0', reservedUsd: '0' });
  });

  it('takes back, once expired, a reservation whose instance died before settling it', async () => {
    const text = 'orphaned';
    const { prompt, completion } = await measure(text);
    const cost = prompt * inputPico + completion * outputPico;
    const key = await newKey({ budgetUsd: dollarsOf(cost) });
    const request = echo(text, { maxTokens: completion });
    const { db } = t.db.database;

    // Another instance reserved the whole budget and died: while that reservation may still
    // belong to a running request it holds, once expired it is swept.
    const alive = await new BudgetStore(db, 3_600_000).reserve(key.id, cost);
    expect(alive).toBeDefined();
    expect((await t.post('/api/v1/completions', request, key.secret)).status).toBe(402);
    await db.delete(budgetReservations).where(eq(budgetReservations.id, alive!));
    await db.update(apiKeys).set({ budgetReservedUsd: '0' }).where(eq(apiKeys.id, key.id));

    expect(await new BudgetStore(db, 0).reserve(key.id, cost)).toBeDefined();
    expect((await budgetOf(key.id)).remainingUsd).toBe('0');
    expect((await t.post('/api/v1/completions', request, key.secret)).status).toBe(200);
    const budget = await budgetOf(key.id);
    expect(picoOf(budget.spentUsd)).toBe(cost);
    expect(budget.reservedUsd).toBe('0');
    expect(await db.select().from(budgetReservations).where(eq(budgetReservations.apiKeyId, key.id))).toEqual(
      [],
    );
  });

  it('refuses with 402 before any upstream call when the reservation cannot fit', async () => {
    const key = await newKey({ budgetUsd: '0.000000000001' });
    const response = await t.post('/api/v1/completions', echo('too expensive', { maxTokens: 5 }), key.secret);
    expect(response.status).toBe(402);
    const body = await response.json();
    const required = (measured: number) => measured * inputPico + 5 * outputPico;
    expect(body.error).toMatchObject({
      code: 'budget_exceeded',
      budgetUsd: '0.000000000001',
      budgetPeriod: 'total',
    });
    expect(picoOf(body.error.requiredUsd)).toBe(required((await measure('too expensive')).prompt));
    expect(body.error.message).toContain('$0.000000000001');
    expect(await budgetOf(key.id)).toMatchObject({ spentUsd: '0', reservedUsd: '0' });
  });

  it('starts a daily budget afresh when its window has passed', async () => {
    const text = 'daily';
    const { prompt, completion } = await measure(text);
    const cost = prompt * inputPico + completion * outputPico;
    const key = await newKey({ budgetUsd: dollarsOf(cost), budgetPeriod: 'daily' });
    const request = echo(text, { maxTokens: completion });
    expect((await t.post('/api/v1/completions', request, key.secret)).status).toBe(200);
    expect((await t.post('/api/v1/completions', request, key.secret)).status).toBe(402);
    const today = await budgetOf(key.id);
    expect(today.windowStart?.toISOString()).toBe(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);

    // The window the spend belongs to moves to yesterday, as it would at midnight UTC.
    await t.db.database.db
      .update(apiKeys)
      .set({ budgetWindowStart: sql`${apiKeys.budgetWindowStart} - interval '1 day'` })
      .where(eq(apiKeys.id, key.id));
    expect((await budgetOf(key.id)).spentUsd).toBe('0');
    expect((await t.post('/api/v1/completions', request, key.secret)).status).toBe(200);
    expect(picoOf((await budgetOf(key.id)).spentUsd)).toBe(cost);
  });

  it('enforces requests per minute exactly, with the rate-limit headers', async () => {
    const key = await newKey({ requestsPerMinute: 3 });
    for (const remaining of [2, 1, 0]) {
      const response = await t.post('/api/v1/completions', echo('counted'), key.secret);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit')).toBe('3');
      expect(response.headers.get('x-ratelimit-remaining')).toBe(String(remaining));
      const reset = Number(response.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(60);
    }
    const refused = await t.post('/api/v1/completions', echo('one too many', { stream: true }), key.secret);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/json');
    expect((await refused.json()).error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('3');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    // A refusal is not counted: the other limits of this key are untouched by it.
    expect((await t.post('/api/v1/completions', echo('still refused'), key.secret)).status).toBe(429);
  });

  it('sends the rate-limit headers on a streamed answer too', async () => {
    const key = await newKey({ requestsPerMinute: 5 });
    const response = await t.post('/api/v1/completions', echo('stream it', { stream: true }), key.secret);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-remaining')).toBe('4');
    const events = await readSseEvents(response);
    expect(events.at(-1)).toMatchObject({ type: 'done' });
  });

  it('enforces tokens per minute on the bound up front and corrects to the actual use after', async () => {
    const system = 'You are a patient assistant who answers briefly. '.repeat(6);
    const request = (maxTokens: number) => ({
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: 'hi there' },
      ],
      models: ['local/echo'],
      maxTokens,
    });
    const measured = await t.post('/api/v1/completions', request(20));
    const { usage } = await measured.json();
    const prompt: number = usage.promptTokens;
    const used: number = usage.promptTokens + usage.completionTokens;
    const bound = prompt + 20;
    // One token short of two bounds: the second request fits only because the first was corrected.
    const limit = 2 * bound - 1;
    const key = await newKey({ tokensPerMinute: limit });

    const first = await t.post('/api/v1/completions', request(20), key.secret);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe(String(limit));
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe(String(limit));
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe(String(limit - bound));

    const second = await t.post('/api/v1/completions', request(20), key.secret);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-ratelimit-remaining-tokens')).toBe(String(limit - used - bound));

    const third = await t.post('/api/v1/completions', request(20), key.secret);
    expect(third.status).toBe(429);
    expect((await third.json()).error.code).toBe('rate_limited');
    expect(third.headers.get('x-ratelimit-remaining-tokens')).toBe(String(limit - 2 * used));
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // A request that fits in what is left still goes through.
    const small = await t.post('/api/v1/completions', echo('x', { maxTokens: 1 }), key.secret);
    expect(small.status).toBe(200);
  });

  it('never routes to a model outside the allowlist, and answers 422 naming it when nothing else is left', async () => {
    const key = await newKey({ allowedModels: ['local/echo'] });
    expect((await t.post('/api/v1/completions', echo('allowed'), key.secret)).status).toBe(200);
    // The disallowed model is not eligible; the allowed one serves.
    const mixed = await t.post(
      '/api/v1/completions',
      { ...echo('mixed'), models: ['local/other', 'local/echo'] },
      key.secret,
    );
    expect(mixed.status).toBe(200);
    expect((await mixed.json()).attempts.map((a: { model: string }) => a.model)).toEqual(['echo']);
    const refused = await t.post(
      '/api/v1/completions',
      { ...echo('not allowed'), models: ['local/other'] },
      key.secret,
    );
    expect(refused.status).toBe(422);
    const body = await refused.json();
    expect(body.error).toMatchObject({
      code: 'no_eligible_model',
      candidates: [{ model: 'local/other', reason: expect.stringContaining('may not use') }],
    });
    expect(body.error.message).toContain('local/echo');

    const byProvider = await newKey({ allowedModels: ['local'] });
    expect((await t.post('/api/v1/completions', echo('any local model'), byProvider.secret)).status).toBe(
      200,
    );
  });

  it('answers 401 to a revoked key on its very next request', async () => {
    const key = await newKey({});
    expect((await t.post('/api/v1/completions', echo('before'), key.secret)).status).toBe(200);
    const revoked = await t.app.apiKeys.revoke(key.id);
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    const after = await t.post('/api/v1/completions', echo('after'), key.secret);
    expect(after.status).toBe(401);
    expect((await after.json()).error.code).toBe('unauthorized');
  });

  it('applies changed limits on the next request', async () => {
    const key = await newKey({});
    expect((await t.post('/api/v1/completions', echo('free'), key.secret)).status).toBe(200);
    await t.app.apiKeys.setLimits(key.id, { allowedModels: ['local/none'] });
    expect((await t.post('/api/v1/completions', echo('now refused'), key.secret)).status).toBe(422);
    await t.app.apiKeys.setLimits(key.id, { allowedModels: null });
    expect((await t.post('/api/v1/completions', echo('free again'), key.secret)).status).toBe(200);
  });
});
