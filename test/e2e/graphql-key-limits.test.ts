import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoInput, postGraphQL, queryData } from '../support/graphql.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

/** Prices that make local/echo cost something: 1 $/MTok in, 2 $/MTok out. */
const configFile = { models: [{ id: 'local/echo', inputPricePerMTok: 1, outputPricePerMTok: 2 }] };

/** Exact decimal dollars as pico-dollars, so sums are compared without floats. */
const pico = (decimal: string): bigint => {
  const [whole, fraction = ''] = decimal.split('.');
  return BigInt(whole!) * 10n ** 12n + BigInt(fraction.padEnd(12, '0'));
};

const limitFields =
  'limits { budgetUsd budgetPeriod requestsPerMinute tokensPerMinute maxConcurrentRequests allowedModels }';
const budgetFields = 'budget { limit period spent reserved remaining windowStart }';

interface Limits {
  budgetUsd: string | null;
  budgetPeriod: string;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  maxConcurrentRequests: number | null;
  allowedModels: string[] | null;
}
interface Budget {
  limit: string;
  period: string;
  spent: string;
  reserved: string;
  remaining: string;
  windowStart: string | null;
}
interface KeyView {
  id: string;
  name: string;
  limits: Limits;
  budget: Budget | null;
}

const createMutation = `mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name ${limitFields} ${budgetFields} } }
}`;
const setLimitsMutation = `mutation($id: ID!, $limits: ApiKeyLimitsInput!) {
  setApiKeyLimits(id: $id, limits: $limits) { id name ${limitFields} ${budgetFields} }
}`;
const meQuery = `{ me { id name admin ${limitFields} ${budgetFields} } }`;

describe.each(drivers)('GraphQL key limits and budgets on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ driver, configFile });
  });
  afterAll(() => t.close());

  const createKey = async (input: Record<string, unknown>) =>
    (await queryData<{ createApiKey: { secret: string; apiKey: KeyView } }>(t.url, createMutation, { input }))
      .createApiKey;

  it('creates a key with a budget, and me shows the spend of its priced completion exactly', async () => {
    const { secret, apiKey } = await createKey({
      name: 'budgeted',
      limits: { budgetUsd: '0.5', budgetPeriod: 'DAILY', requestsPerMinute: 30, allowedModels: ['local'] },
    });
    expect(apiKey.limits).toEqual({
      budgetUsd: '0.5',
      budgetPeriod: 'DAILY',
      requestsPerMinute: 30,
      tokensPerMinute: null,
      maxConcurrentRequests: null,
      allowedModels: ['local'],
    });
    expect(apiKey.budget).toMatchObject({
      limit: '0.5',
      period: 'DAILY',
      spent: '0',
      reserved: '0',
      remaining: '0.5',
    });
    // A daily window starts at 00:00 UTC of the database's today (compared loosely, should the test straddle midnight).
    const windowStart = new Date(apiKey.budget!.windowStart!);
    expect(windowStart.toISOString()).toMatch(/T00:00:00\.000Z$/);
    expect(Date.now() - windowStart.getTime()).toBeGreaterThanOrEqual(0);
    expect(Date.now() - windowStart.getTime()).toBeLessThan(24 * 3600 * 1000 + 60_000);

    const { completion } = await queryData<{ completion: { usage: { costs: { totalTokensCost: string } } } }>(
      t.url,
      'mutation($input: CompletionInput!) { completion(input: $input) { usage { costs { totalTokensCost } } } }',
      { input: echoInput('Spend a little of my budget, please.') },
      secret,
    );
    const cost = pico(completion.usage.costs.totalTokensCost);
    expect(cost).toBeGreaterThan(0n);

    const { me } = await queryData<{ me: KeyView & { admin: boolean } }>(t.url, meQuery, {}, secret);
    expect(me).toMatchObject({ id: apiKey.id, name: 'budgeted', admin: false, limits: apiKey.limits });
    expect(me.budget).toMatchObject({ limit: '0.5', period: 'DAILY', reserved: '0' });
    expect(pico(me.budget!.spent)).toBe(cost);
    expect(pico(me.budget!.remaining)).toBe(pico('0.5') - cost);

    // The admin sees the same figures in apiKeys.
    const { apiKeys } = await queryData<{ apiKeys: KeyView[] }>(
      t.url,
      `{ apiKeys { id name ${limitFields} ${budgetFields} } }`,
    );
    const listed = apiKeys.find((key) => key.id === apiKey.id)!;
    expect(listed.limits).toEqual(me.limits);
    expect(listed.budget).toEqual(me.budget);
  });

  it('shows no limits and no budget for a key without them', async () => {
    const { secret } = await createKey({ name: 'unlimited' });
    const { me } = await queryData<{ me: KeyView }>(t.url, meQuery, {}, secret);
    expect(me.limits).toEqual({
      budgetUsd: null,
      budgetPeriod: 'TOTAL',
      requestsPerMinute: null,
      tokensPerMinute: null,
      maxConcurrentRequests: null,
      allowedModels: null,
    });
    expect(me.budget).toBeNull();
  });

  it('changes limits with setApiKeyLimits: absent fields stay, null removes a limit, the next request applies it', async () => {
    const { secret, apiKey } = await createKey({
      name: 'changing',
      limits: { budgetUsd: '2', requestsPerMinute: 5, maxConcurrentRequests: 3 },
    });
    const { setApiKeyLimits } = await queryData<{ setApiKeyLimits: KeyView }>(t.url, setLimitsMutation, {
      id: apiKey.id,
      limits: { budgetUsd: null, requestsPerMinute: 1, allowedModels: ['local/echo'] },
    });
    expect(setApiKeyLimits.limits).toEqual({
      budgetUsd: null,
      budgetPeriod: 'TOTAL',
      requestsPerMinute: 1,
      tokensPerMinute: null,
      maxConcurrentRequests: 3,
      allowedModels: ['local/echo'],
    });
    expect(setApiKeyLimits.budget).toBeNull();

    const ask = () =>
      postGraphQL(
        t.url,
        'mutation($input: CompletionInput!) { completion(input: $input) { model } }',
        { input: echoInput('counted') },
        secret,
      );
    expect((await ask()).body.data).toEqual({ completion: { model: 'echo' } });
    const refused = await ask();
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('answers invalid limits with BAD_USER_INPUT naming each field, and changes nothing', async () => {
    const { apiKey } = await createKey({ name: 'kept', limits: { requestsPerMinute: 7 } });
    const { body } = await postGraphQL(t.url, setLimitsMutation, {
      id: apiKey.id,
      limits: { budgetUsd: '-1', requestsPerMinute: 0, allowedModels: ['Not A Model'] },
    });
    const [error] = body.errors!;
    expect(error!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(error!.message).toContain('budgetUsd');
    expect(error!.message).toContain('requestsPerMinute');
    expect(error!.message).toContain('allowedModels');

    const created = await postGraphQL(t.url, createMutation, {
      input: { name: 'never made', limits: { maxConcurrentRequests: -2 } },
    });
    expect(created.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(created.body.errors![0]!.message).toContain('maxConcurrentRequests');

    const { apiKeys } = await queryData<{ apiKeys: KeyView[] }>(
      t.url,
      `{ apiKeys { id name ${limitFields} } }`,
    );
    expect(apiKeys.map((key) => key.name)).not.toContain('never made');
    expect(apiKeys.find((key) => key.id === apiKey.id)!.limits.requestsPerMinute).toBe(7);
  });

  it('answers an unknown key with NOT_FOUND, and a non-admin with FORBIDDEN', async () => {
    const missing = await postGraphQL(t.url, setLimitsMutation, {
      id: '00000000-0000-4000-8000-000000000000',
      limits: { requestsPerMinute: 1 },
    });
    expect(missing.body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND' });

    const { secret, apiKey } = await createKey({ name: 'plain user' });
    for (const [query, variables] of [
      [setLimitsMutation, { id: apiKey.id, limits: { requestsPerMinute: null } }],
      [createMutation, { input: { name: 'self-made', limits: { budgetUsd: '100' } } }],
      [`{ apiKeys { id ${limitFields} } }`, {}],
    ] as const) {
      const { body } = await postGraphQL(t.url, query, variables, secret);
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
    }
  });
});
