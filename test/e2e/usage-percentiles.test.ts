import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionMutation, echoInput, queryData } from '../support/graphql.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

const usageQuery = `
  query Usage($groupBy: [UsageGroupBy!]) {
    usage(groupBy: $groupBy) {
      totals { requests errors errorRate latencyP50 latencyP95 ttftP50 ttftP95 }
      buckets { hour usage { requests errors errorRate latencyP50 latencyP95 ttftP50 ttftP95 } }
    }
  }
`;

interface Percentiles {
  requests: number;
  errors: number;
  errorRate: number;
  latencyP50: number | null;
  latencyP95: number | null;
  ttftP50: number | null;
  ttftP95: number | null;
}
interface UsageResult {
  usage: { totals: Percentiles; buckets: { hour: string; usage: Percentiles }[] };
}

describe.each(drivers)('usage percentiles and error rate on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ driver });
  });
  afterAll(() => t?.close());

  it('answers null percentiles and a zero error rate without completions', async () => {
    const { usage } = await queryData<UsageResult>(t.url, usageQuery, { groupBy: ['HOUR'] });
    expect(usage.totals).toEqual({
      requests: 0,
      errors: 0,
      errorRate: 0,
      latencyP50: null,
      latencyP95: null,
      ttftP50: null,
      ttftP95: null,
    });
    expect(usage.buckets).toEqual([]);
  });

  it('computes continuous p50 and p95 of latency and time to first token, in totals and per bucket', async () => {
    for (const word of ['one', 'two', 'three', 'four', 'five']) {
      await queryData(t.url, completionMutation, { input: echoInput(word) });
    }
    await t.settled();
    // Known figures, so the percentiles can be checked exactly; one completion had no first token.
    // All in one hour, so that one bucket holds them.
    const latencies = [10, 20, 30, 40, 1000];
    const ttfts = [5, 15, 25, 35, null];
    await t.db.database.db.execute(sql`
      with ranked as (select id, row_number() over (order by created_at, id) as n from completions)
      update completions set
        latency_ms = (array[${sql.raw(latencies.join(','))}])[ranked.n],
        ttft_ms = (array[${sql.raw(ttfts.map((v) => v ?? 'null').join(','))}]::int[])[ranked.n],
        status = case when ranked.n = 5 then 'failed' else status end,
        created_at = timestamptz '2026-01-01T10:00:00Z' + ranked.n * interval '1 second'
      from ranked where ranked.id = completions.id`);

    const { usage } = await queryData<UsageResult>(t.url, usageQuery, { groupBy: ['HOUR'] });
    const expected = {
      requests: 5,
      errors: 1,
      errorRate: 0.2,
      latencyP50: 30,
      latencyP95: 40 + 0.8 * (1000 - 40),
      ttftP50: 20,
      ttftP95: 25 + 0.85 * (35 - 25),
    };
    expect(usage.totals.requests).toBe(5);
    for (const [name, value] of Object.entries(expected)) {
      expect(usage.totals[name as keyof Percentiles]).toBeCloseTo(value, 6);
    }
    expect(usage.buckets.map((bucket) => bucket.hour)).toEqual(['2026-01-01T10:00:00.000Z']);
    expect(usage.buckets[0]!.usage).toEqual(usage.totals);
  });
});
