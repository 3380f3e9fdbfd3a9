import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { queryRows } from '../../src/db/query-rows.js';
import type { CompletionRecord } from '../../src/store/completion-recorder.js';
import { type UsageDimension, UsageQueries } from '../../src/store/usage-queries.js';
import { UsageRollup } from '../../src/store/usage-rollup.js';
import { writeCompletionBatch } from '../../src/store/write-completion-batch.js';
import { createTestDatabase, drivers, type TestDatabase } from '../support/test-database.js';

const day = 86_400_000;
/** Five UTC days of traffic, ending well over a day before `now`, so every one is due. */
const firstDay = Date.UTC(2026, 5, 1);
const now = new Date(firstDay + 8 * day);
const models = [
  ['openai', 'gpt-4o'],
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'claude-sonnet-4'],
  [null, null],
] as const;

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function sequence(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function completionAt(keyId: string, at: Date, random: () => number): CompletionRecord {
  const [provider, model] = models[Math.floor(random() * models.length)]!;
  const failed = random() < 0.15;
  const cost = (random() * 0.01).toFixed(12);
  return {
    completion: {
      id: randomUUID(),
      apiKeyId: keyId,
      kind: random() < 0.1 ? 'embedding' : 'chat',
      provider,
      model,
      status: failed ? 'failed' : 'succeeded',
      stream: random() < 0.5,
      promptTokens: Math.floor(random() * 500),
      completionTokens: Math.floor(random() * 300),
      reasoningTokens: Math.floor(random() * 20),
      cachedTokens: Math.floor(random() * 50),
      inputCost: cost,
      outputCost: '0.000000000123',
      searchCost: '0',
      totalCost: (Number(cost) + 0.000000000123).toFixed(12),
      // Repeated values on purpose: the rollup keeps counts per value.
      latencyMs: 50 + Math.floor(random() * 40) * 25,
      ttftMs: failed ? null : 10 + Math.floor(random() * 30) * 7,
      createdAt: at,
    },
    attempts: [],
    messages: [],
  };
}

describe.each(drivers)('usage over all keys from the daily rollup on %s', (driver) => {
  let testDb: TestDatabase;
  let queries: UsageQueries;
  let rollup: UsageRollup;
  let keyIds: string[];
  const admin = (): Principal => ({ keyId: keyIds[0]!, name: 'admin', admin: true });
  const random = sequence(7);

  const write = (records: CompletionRecord[]) => writeCompletionBatch(testDb.database.db, records);
  const dirtyDays = async () =>
    (
      await queryRows<{ day: string }>(
        testDb.database.db,
        sql`select (extract(epoch from day) * 1000)::bigint::text as day from usage_dirty_days order by day`,
      )
    ).map((row) => new Date(Number(row.day)).toISOString().slice(0, 10));

  const windows: { from: Date | undefined; to: Date | undefined }[] = [
    { from: undefined, to: undefined },
    // Partial days at both edges.
    { from: new Date(firstDay + 0.5 * day + 1234), to: new Date(firstDay + 3.25 * day) },
    // Whole days only.
    { from: new Date(firstDay + day), to: new Date(firstDay + 4 * day) },
    // Inside one day.
    { from: new Date(firstDay + 2.1 * day), to: new Date(firstDay + 2.7 * day) },
    { from: new Date(firstDay + 2 * day), to: undefined },
  ];
  const groupings: UsageDimension[][] = [
    ['day'],
    ['model'],
    ['day', 'model'],
    ['provider', 'kind'],
    ['kind'],
  ];

  /** Every window and grouping: the rollup's figures are the completions' figures, exactly. */
  const expectSameAsCompletions = async () => {
    for (const window of windows) {
      const filter = { principal: admin(), ...window };
      expect(await queries.totals(filter)).toEqual(await queries.completionTotals(filter));
      for (const dimensions of groupings) {
        expect(await queries.buckets(filter, dimensions)).toEqual(
          await queries.completionBuckets(filter, dimensions),
        );
      }
    }
  };

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    queries = new UsageQueries(testDb.database.db);
    rollup = new UsageRollup(testDb.database.db);
    keyIds = [];
    for (const name of ['one', 'two', 'three']) {
      const [row] = await queryRows<{ id: string }>(
        testDb.database.db,
        sql`insert into api_keys (name, prefix, hash) values (${name}, ${name}, ${randomUUID()}) returning id`,
      );
      keyIds.push(row!.id);
    }
    const records: CompletionRecord[] = [];
    for (let i = 0; i < 600; i++) {
      const at = new Date(firstDay + Math.floor(random() * 5 * day));
      records.push(completionAt(keyIds[i % keyIds.length]!, at, random));
    }
    for (let i = 0; i < records.length; i += 100) await write(records.slice(i, i + 100));
  });
  afterAll(() => testDb?.drop());

  it('reads the same figures before the rollup (from the completions) and after it (from usage_daily)', async () => {
    expect(await dirtyDays()).toEqual(['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05']);
    await expectSameAsCompletions();

    expect(await rollup.rollUp(now)).toBe(5);
    expect(await dirtyDays()).toEqual([]);
    const [stored] = await queryRows<{ rows: string; requests: string }>(
      testDb.database.db,
      sql`select count(*)::text as rows, sum(requests)::text as requests from usage_daily`,
    );
    expect(Number(stored!.requests)).toBe(600);
    expect(Number(stored!.rows)).toBeGreaterThan(5);
    await expectSameAsCompletions();
  });

  it('does not roll up a day that ended less than an hour ago', async () => {
    const recent = new Date(firstDay + 6 * day + 3_600_000);
    await write([completionAt(keyIds[1]!, recent, random)]);
    // Just under an hour after the end of that day: not due yet.
    expect(await rollup.rollUp(new Date(firstDay + 8 * day - 60_000 + 3_600_000 - day))).toBe(0);
    expect(await dirtyDays()).toEqual(['2026-06-07']);
    await expectSameAsCompletions();
    expect(await rollup.rollUp(now)).toBe(1);
  });

  it('counts a late completion for a rolled-up day at once, and rolls the day up again', async () => {
    await write([completionAt(keyIds[2]!, new Date(firstDay + 2 * day + 5000), random)]);
    expect(await dirtyDays()).toEqual(['2026-06-03']);
    await expectSameAsCompletions();
    expect(await rollup.rollUp(now)).toBe(1);
    expect(await dirtyDays()).toEqual([]);
    await expectSameAsCompletions();
  });

  it('follows completions changed or deleted in place, including moved to another day', async () => {
    await testDb.database.db.execute(sql`
      update completions set latency_ms = latency_ms + 1, created_at = created_at + interval '1 day'
      where id in (select id from completions where created_at < ${new Date(firstDay + day).toISOString()}::timestamptz limit 10)`);
    expect(await dirtyDays()).toEqual(['2026-06-01', '2026-06-02']);
    await expectSameAsCompletions();
    await testDb.database.db.execute(sql`
      delete from completions where id in (select id from completions where model = 'gpt-4o' limit 5)`);
    await expectSameAsCompletions();
    await rollup.rollUp(now);
    expect(await dirtyDays()).toEqual([]);
    await expectSameAsCompletions();
  });

  it('keeps one key to its own completions', async () => {
    const one: Principal = { keyId: keyIds[1]!, name: 'one', admin: false };
    const filter = { principal: one, from: undefined, to: undefined };
    const totals = await queries.totals(filter);
    const all = await queries.totals({ ...filter, principal: admin() });
    expect(totals.requests).toBeGreaterThan(0);
    expect(totals.requests).toBeLessThan(all.requests);
    expect(totals).toEqual(await queries.completionTotals(filter));
  });
});
