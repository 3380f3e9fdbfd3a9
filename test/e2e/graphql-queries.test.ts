import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionMutation, echoInput, postGraphQL, queryData } from '../support/graphql.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

const pricedEcho = { models: [{ id: 'local/echo', inputPricePerMTok: 0.5, outputPricePerMTok: 4 }] };

interface Made {
  conversationId: string;
  conversationTitle: string;
  usage: {
    promptTokens: number;
    completionTokens: number;
    costs: { inputTokensCost: string; outputTokensCost: string; totalTokensCost: string };
  };
  latency: number;
}

/** Dollars as an exact count of pico-dollars, so decimal strings add up without rounding. */
const pico = (decimal: string): bigint => {
  const [whole, fraction = ''] = decimal.split('.');
  return BigInt(whole!) * 10n ** 12n + BigInt(fraction.padEnd(12, '0'));
};

const listQuery = `
  query List($first: Int, $after: String, $last: Int, $before: String, $title: String) {
    conversations(first: $first, after: $after, last: $last, before: $before, title: $title) {
      edges { cursor node { id title } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

interface ListResult {
  conversations: {
    edges: { cursor: string; node: { id: string; title: string } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  };
}

const usageQuery = `
  query Usage($from: DateTime, $to: DateTime, $groupBy: [UsageGroupBy!]) {
    usage(from: $from, to: $to, groupBy: $groupBy) {
      totals { requests errors promptTokens completionTokens totalTokens reasoningTokens cachedTokens
               inputTokensCost outputTokensCost totalTokensCost meanLatency meanTtft }
      buckets { provider model day hour keyId keyName
                usage { requests promptTokens completionTokens totalTokensCost } }
    }
  }
`;

interface UsageTotals {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  inputTokensCost: string;
  outputTokensCost: string;
  totalTokensCost: string;
  meanLatency: number | null;
  meanTtft: number | null;
}
interface UsageResult {
  usage: {
    totals: UsageTotals;
    buckets: {
      provider: string | null;
      model: string | null;
      day: string | null;
      hour: string | null;
      keyId: string | null;
      keyName: string | null;
      usage: { requests: number; promptTokens: number; completionTokens: number; totalTokensCost: string };
    }[];
  };
}

describe.each(drivers)('GraphQL queries on %s', (driver) => {
  let t: TestApp;
  let userKey: string;
  let userKeyId: string;
  const adminMade: Made[] = [];
  const userMade: Made[] = [];

  const complete = async (text: string, key: string) => {
    const { completion } = await queryData<{ completion: Made }>(
      t.url,
      completionMutation,
      { input: echoInput(text) },
      key,
    );
    return completion;
  };

  beforeAll(async () => {
    t = await startTestApp({ driver, configFile: pricedEcho });
    const { createApiKey } = await queryData<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
      t.url,
      `mutation { createApiKey(input: { name: "alice", scopes: [USER] }) { secret apiKey { id } } }`,
    );
    userKey = createApiKey.secret;
    userKeyId = createApiKey.apiKey.id;
    // One at a time, so each conversation's last activity is distinct and ordered.
    for (const n of [1, 2, 3, 4, 5])
      adminMade.push(await complete(`admin topic ${n} about routing`, adminKey));
    for (const n of [1, 2]) userMade.push(await complete(`alice question ${n}`, userKey));
  });
  afterAll(() => t.close());

  it('pages through conversations newest first with cursors, and filters by title', async () => {
    const newestFirst = [...adminMade].reverse().map((made) => made.conversationId);
    const page1 = await queryData<ListResult>(t.url, listQuery, { first: 2, title: 'admin topic' });
    expect(page1.conversations.edges.map((edge) => edge.node.id)).toEqual(newestFirst.slice(0, 2));
    expect(page1.conversations.pageInfo.hasNextPage).toBe(true);

    const page2 = await queryData<ListResult>(t.url, listQuery, {
      first: 2,
      after: page1.conversations.pageInfo.endCursor,
      title: 'admin topic',
    });
    expect(page2.conversations.edges.map((edge) => edge.node.id)).toEqual(newestFirst.slice(2, 4));

    const page3 = await queryData<ListResult>(t.url, listQuery, {
      first: 2,
      after: page2.conversations.pageInfo.endCursor,
      title: 'admin topic',
    });
    expect(page3.conversations.edges.map((edge) => edge.node.id)).toEqual(newestFirst.slice(4));
    expect(page3.conversations.pageInfo.hasNextPage).toBe(false);

    const backwards = await queryData<ListResult>(t.url, listQuery, {
      last: 2,
      before: page3.conversations.edges[0]!.cursor,
      title: 'admin topic',
    });
    expect(backwards.conversations.edges.map((edge) => edge.node.id)).toEqual(newestFirst.slice(2, 4));

    const filtered = await queryData<ListResult>(t.url, listQuery, { title: 'TOPIC 3' });
    expect(filtered.conversations.edges.map((edge) => edge.node.title)).toEqual([
      'admin topic 3 about routing',
    ]);
    // LIKE wildcards in the filter are matched literally.
    const literal = await queryData<ListResult>(t.url, listQuery, { title: '%' });
    expect(literal.conversations.edges).toEqual([]);
  });

  it('answers a forged cursor with BAD_USER_INPUT', async () => {
    const { body } = await postGraphQL(t.url, listQuery, { first: 2, after: 'bm90LWEtY3Vyc29y' });
    expect(body.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('shows a conversation with its messages and totals, renames it and deletes it', async () => {
    const made = adminMade[0]!;
    const query = `query One($id: ID!) { conversation(id: $id) {
      id title createdAt lastActivityAt
      messages { role content { type text } provider model complete createdAt }
      totals { requests promptTokens completionTokens totalTokens totalTokensCost }
    } }`;
    const { conversation } = await queryData<{
      conversation: {
        title: string;
        messages: { role: string; content: { text: string }[]; provider: string | null; complete: boolean }[];
        totals: { requests: number; promptTokens: number; completionTokens: number; totalTokensCost: string };
      };
    }>(t.url, query, { id: made.conversationId });
    expect(conversation.title).toBe(made.conversationTitle);
    expect(conversation.messages.map((message) => message.role)).toEqual(['SYSTEM', 'USER', 'ASSISTANT']);
    expect(conversation.messages[2]).toMatchObject({ provider: 'local', complete: true });
    expect(conversation.totals).toEqual({
      requests: 1,
      promptTokens: made.usage.promptTokens,
      completionTokens: made.usage.completionTokens,
      totalTokens: made.usage.promptTokens + made.usage.completionTokens,
      totalTokensCost: made.usage.costs.totalTokensCost,
    });

    const renamed = await queryData<{ renameConversation: { title: string } }>(
      t.url,
      `mutation($id: ID!) { renameConversation(id: $id, title: "Renamed") { title } }`,
      { id: made.conversationId },
    );
    expect(renamed.renameConversation.title).toBe('Renamed');
    const empty = await postGraphQL(
      t.url,
      `mutation($id: ID!) { renameConversation(id: $id, title: "  ") { title } }`,
      {
        id: made.conversationId,
      },
    );
    expect(empty.body.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(empty.body.errors![0]!.message).toContain('title: must not be empty');

    const extra = await complete('to be deleted', adminKey);
    const deleted = await queryData<{ deleteConversation: string }>(
      t.url,
      `mutation($id: ID!) { deleteConversation(id: $id) }`,
      { id: extra.conversationId },
    );
    expect(deleted.deleteConversation).toBe(extra.conversationId);
    const gone = await postGraphQL(t.url, query, { id: extra.conversationId });
    expect(gone.body.errors![0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    adminMade.push(extra); // its completion still counts in usage
  });

  it("keeps one key from seeing another key's conversations", async () => {
    const mine = await queryData<ListResult>(t.url, listQuery, {}, userKey);
    expect(mine.conversations.edges.map((edge) => edge.node.id).sort()).toEqual(
      userMade.map((made) => made.conversationId).sort(),
    );
    const query = `query($id: ID!) { conversation(id: $id) { id } }`;
    const other = await postGraphQL(t.url, query, { id: adminMade[1]!.conversationId }, userKey);
    expect(other.body.errors![0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    for (const mutation of [
      `mutation($id: ID!) { renameConversation(id: $id, title: "mine now") { id } }`,
      `mutation($id: ID!) { deleteConversation(id: $id) }`,
    ]) {
      const { body } = await postGraphQL(t.url, mutation, { id: adminMade[1]!.conversationId }, userKey);
      expect(body.errors![0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    }
    // The admin sees every conversation.
    const all = await queryData<ListResult>(t.url, listQuery, { first: 100 });
    expect(all.conversations.edges.length).toBe(adminMade.length - 1 + userMade.length);
  });

  it('sums usage in SQL to exactly the completions made, and groups it by model, provider, day, hour and key', async () => {
    const expectTotals = (totals: UsageTotals, made: Made[]) => {
      const sum = (pick: (made: Made) => number) => made.reduce((total, one) => total + pick(one), 0);
      const sumCost = (pick: (made: Made) => string) =>
        made.reduce((total, one) => total + pico(pick(one)), 0n);
      expect(totals).toMatchObject({
        requests: made.length,
        errors: 0,
        promptTokens: sum((one) => one.usage.promptTokens),
        completionTokens: sum((one) => one.usage.completionTokens),
        totalTokens: sum((one) => one.usage.promptTokens + one.usage.completionTokens),
      });
      expect(pico(totals.inputTokensCost)).toBe(sumCost((one) => one.usage.costs.inputTokensCost));
      expect(pico(totals.outputTokensCost)).toBe(sumCost((one) => one.usage.costs.outputTokensCost));
      expect(pico(totals.totalTokensCost)).toBe(sumCost((one) => one.usage.costs.totalTokensCost));
      expect(pico(totals.totalTokensCost)).toBeGreaterThan(0n);
      expect(totals.meanLatency).toBeCloseTo(sum((one) => one.latency) / made.length, 6);
      expect(totals.meanTtft).not.toBeNull();
    };

    const everyone = await queryData<UsageResult>(t.url, usageQuery, { groupBy: ['KEY', 'MODEL'] });
    expectTotals(everyone.usage.totals, [...adminMade, ...userMade]);
    const byKey = new Map(everyone.usage.buckets.map((bucket) => [bucket.keyName, bucket]));
    expect([...byKey.keys()].sort()).toEqual(['admin (ADMIN_API_KEY)', 'alice']);
    expect(byKey.get('alice')).toMatchObject({
      keyId: userKeyId,
      model: 'echo',
      provider: null,
      usage: { requests: userMade.length },
    });
    expect(byKey.get('admin (ADMIN_API_KEY)')!.usage.requests).toBe(adminMade.length);

    const alice = await queryData<UsageResult>(
      t.url,
      usageQuery,
      { groupBy: ['PROVIDER', 'DAY', 'HOUR'] },
      userKey,
    );
    expectTotals(alice.usage.totals, userMade);
    const dayStart = new Date();
    dayStart.setUTCHours(0, 0, 0, 0);
    const requestsInBuckets = alice.usage.buckets.reduce((total, bucket) => total + bucket.usage.requests, 0);
    expect(requestsInBuckets).toBe(userMade.length);
    for (const bucket of alice.usage.buckets) {
      expect(bucket.provider).toBe('local');
      expect(new Date(bucket.day!).getUTCHours()).toBe(0);
      expect(new Date(bucket.hour!).getUTCMinutes()).toBe(0);
      expect(bucket.keyId).toBeNull();
    }
    // A key grouping by KEY sees only itself.
    const aliceByKey = await queryData<UsageResult>(t.url, usageQuery, { groupBy: ['KEY'] }, userKey);
    expect(aliceByKey.usage.buckets.map((bucket) => bucket.keyName)).toEqual(['alice']);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    const none = await queryData<UsageResult>(t.url, usageQuery, { from: future });
    expect(none.usage.totals).toMatchObject({ requests: 0, totalTokensCost: '0', meanLatency: null });
    const backwards = await postGraphQL(t.url, usageQuery, { from: future, to: new Date().toISOString() });
    expect(backwards.body.errors![0]).toMatchObject({
      message: expect.stringContaining('from must be before to'),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('lists the catalog with prices per MTok and whether each model is configured', async () => {
    const { models } = await queryData<{ models: Record<string, unknown>[] }>(
      t.url,
      `{ models { id provider model contextWindow prices { inputPerMTok outputPerMTok } capabilities configured health { circuit } } }`,
    );
    expect(models).toContainEqual({
      id: 'local/echo',
      provider: 'local',
      model: 'echo',
      contextWindow: 1_000_000,
      prices: { inputPerMTok: '0.5', outputPerMTok: '4' },
      capabilities: ['VISION'],
      configured: true,
      health: { circuit: 'CLOSED' },
    });
  });

  it('reports live health figures for a model that served traffic', async () => {
    const { models } = await queryData<{
      models: {
        id: string;
        health: { circuit: string; attempts: number; errorRate: number; ttftP50: number | null };
      }[];
    }>(t.url, `{ models { id health { circuit attempts errorRate ttftP50 } } }`);
    const echo = models.find((model) => model.id === 'local/echo')!;
    // Earlier tests in this file completed through local/echo.
    expect(echo.health.circuit).toBe('CLOSED');
    expect(echo.health.attempts).toBeGreaterThan(0);
    expect(echo.health.errorRate).toBe(0);
    expect(echo.health.ttftP50).not.toBeNull();
  });

  it('manages keys for an admin only: me, apiKeys, createApiKey, revokeApiKey', async () => {
    const me = await queryData<{ me: { id: string; name: string; admin: boolean } }>(
      t.url,
      '{ me { id name admin } }',
      {},
      userKey,
    );
    expect(me.me).toEqual({ id: userKeyId, name: 'alice', admin: false });

    for (const operation of [
      '{ apiKeys { id } }',
      'mutation { createApiKey(input: { name: "mallory" }) { secret } }',
      `mutation { revokeApiKey(id: "${userKeyId}") { id } }`,
    ]) {
      const { body } = await postGraphQL(t.url, operation, {}, userKey);
      expect(body.errors![0]).toMatchObject({
        message: 'this operation needs an admin key',
        extensions: { code: 'FORBIDDEN' },
      });
    }

    const { createApiKey } = await queryData<{
      createApiKey: {
        secret: string;
        apiKey: { id: string; name: string; prefix: string; scopes: string[] };
      };
    }>(
      t.url,
      'mutation { createApiKey(input: { name: "bob" }) { secret apiKey { id name prefix scopes } } }',
    );
    expect(createApiKey.apiKey).toMatchObject({ name: 'bob', scopes: ['USER'] });
    expect(createApiKey.secret.startsWith(createApiKey.apiKey.prefix)).toBe(true);
    const bob = createApiKey.secret;
    expect((await postGraphQL(t.url, '{ me { name } }', {}, bob)).body.data).toEqual({ me: { name: 'bob' } });

    const { apiKeys } = await queryData<{ apiKeys: Record<string, unknown>[] }>(
      t.url,
      '{ apiKeys { id name prefix scopes revokedAt } }',
    );
    expect(apiKeys.map((key) => key.name)).toEqual(['admin (ADMIN_API_KEY)', 'alice', 'bob']);
    expect(JSON.stringify(apiKeys)).not.toContain(bob);

    const { revokeApiKey } = await queryData<{ revokeApiKey: { revokedAt: string | null } }>(
      t.url,
      `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`,
      { id: createApiKey.apiKey.id },
    );
    expect(revokeApiKey.revokedAt).not.toBeNull();
    const denied = await postGraphQL(t.url, '{ me { name } }', {}, bob);
    expect(denied.status).toBe(401);
    expect(denied.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('limits aliases and tokens, and refuses a GET without a CSRF header', async () => {
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: health`).join(' ');
    const tooMany = await postGraphQL(t.url, `{ ${aliases} }`);
    expect(tooMany.body.errors![0]!.message).toMatch(/aliases/i);

    const huge = await postGraphQL(t.url, `{ ${'health '.repeat(2500)}}`);
    expect(huge.body.errors![0]!.message).toMatch(/token/i);
    const deepest = await postGraphQL(
      t.url,
      '{ conversations { edges { node { messages { content { text } } totals { requests } } } } }',
    );
    expect(deepest.body.errors).toBeUndefined();

    const forged = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ health }')}`, {
      headers: { authorization: `Bearer ${adminKey}`, accept: 'application/json' },
    });
    expect(forged.status).toBe(403);
    const allowed = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ health }')}`, {
      headers: { authorization: `Bearer ${adminKey}`, accept: 'application/json', 'graphql-preflight': '1' },
    });
    expect(allowed.status).toBe(200);
  });
});
