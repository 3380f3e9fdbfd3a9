/**
 * The daily usage rollup (`usage_daily`): usage over all keys reads one row per day, provider,
 * model and kind for the days it holds, and the completions themselves for the rest (the
 * edges of the window, the current day, and any day changed since it was rolled up, which
 * triggers on `completions` mark in `usage_dirty_days`). The figures are the same either way
 * (see usage-distribution.ts).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { queryRows } from '../db/query-rows.js';
import type { DailyUsageRow } from './usage-distribution.js';

const dayMs = 86_400_000;
/** A day is rolled up only this long after it ended: no transaction still writes it as "today". */
const settleMs = 3_600_000;
/** Any stable number: one instance rolls up at a time. */
const rollupLockId = 0x5573_6167;

const startOfDay = (at: Date): Date => new Date(Math.floor(at.getTime() / dayMs) * dayMs);
const nextDay = (day: Date): Date => new Date(day.getTime() + dayMs);

/** [from, to) */
export interface TimeRange {
  from: Date | undefined;
  to: Date | undefined;
}

/** Every column is selected as text (see `dailyColumns`). */
type RawRow = Record<keyof DailyUsageRow, string>;

/** Rows as the drivers hand them back (bigints and epochs as text) to the row type. */
const toDailyRow = (row: RawRow): DailyUsageRow => ({
  ...row,
  day: new Date(Number(row.day)),
  requests: Number(row.requests),
  errors: Number(row.errors),
  promptTokens: Number(row.promptTokens),
  completionTokens: Number(row.completionTokens),
  reasoningTokens: Number(row.reasoningTokens),
  cachedTokens: Number(row.cachedTokens),
  latencySum: Number(row.latencySum),
  ttftSum: Number(row.ttftSum),
  ttftCount: Number(row.ttftCount),
});

/** `column` in [from, to); an open end is no bound. */
const within = (column: string, { from, to }: TimeRange): SQL =>
  sql`(${from ? sql`${sql.raw(column)} >= ${from.toISOString()}::timestamptz` : sql`true`} and ${
    to ? sql`${sql.raw(column)} < ${to.toISOString()}::timestamptz` : sql`true`
  })`;

/**
 * The completions of the ranges summed per day, provider, model and kind, with the counts
 * per latency and per time to first token: the shape of `usage_daily`.
 */
const summedCompletions = (ranges: readonly TimeRange[]) => sql`
with picked as (
  select date_trunc('day', created_at, 'UTC') as day, coalesce(provider, '') as provider,
    coalesce(model, '') as model, kind, status, prompt_tokens, completion_tokens, reasoning_tokens,
    cached_tokens, input_cost, output_cost, search_cost, total_cost, latency_ms, ttft_ms
  from completions where ${sql.join(
    ranges.map((range) => within('created_at', range)),
    sql` or `,
  )}
),
sums as (
  select day, provider, model, kind, count(*) as requests, count(*) filter (where status <> 'succeeded') as errors,
    sum(prompt_tokens) as prompt_tokens, sum(completion_tokens) as completion_tokens,
    sum(reasoning_tokens) as reasoning_tokens, sum(cached_tokens) as cached_tokens,
    sum(input_cost) as input_cost, sum(output_cost) as output_cost, sum(search_cost) as search_cost,
    sum(total_cost) as total_cost, sum(latency_ms) as latency_sum, coalesce(sum(ttft_ms), 0) as ttft_sum,
    count(ttft_ms) as ttft_count
  from picked group by day, provider, model, kind
),
latency as (
  select day, provider, model, kind, jsonb_object_agg(latency_ms, n) as counts
  from (select day, provider, model, kind, latency_ms, count(*) as n from picked
    group by day, provider, model, kind, latency_ms) values_
  group by day, provider, model, kind
),
ttft as (
  select day, provider, model, kind, jsonb_object_agg(ttft_ms, n) as counts
  from (select day, provider, model, kind, ttft_ms, count(*) as n from picked where ttft_ms is not null
    group by day, provider, model, kind, ttft_ms) values_
  group by day, provider, model, kind
)
select s.*, l.counts as latency_counts, coalesce(t.counts, '{}'::jsonb) as ttft_counts
from sums s join latency l using (day, provider, model, kind) left join ttft t using (day, provider, model, kind)`;

/** The columns of a daily row, read back as text where a driver would round or parse them. */
const dailyColumns = sql`(extract(epoch from day) * 1000)::bigint::text as "day", provider, model, kind,
  requests::text as "requests", errors::text as "errors", prompt_tokens::text as "promptTokens",
  completion_tokens::text as "completionTokens", reasoning_tokens::text as "reasoningTokens",
  cached_tokens::text as "cachedTokens", input_cost::text as "inputCost", output_cost::text as "outputCost",
  search_cost::text as "searchCost", total_cost::text as "totalCost", latency_sum::text as "latencySum",
  ttft_sum::text as "ttftSum", ttft_count::text as "ttftCount", latency_counts::text as "latencyCounts",
  ttft_counts::text as "ttftCounts"`;

/** The completions of the ranges as daily rows. */
const summedRows = (ranges: readonly TimeRange[]) =>
  sql`select ${dailyColumns} from (${summedCompletions(ranges)}) summed`;

export class UsageRollup {
  constructor(private readonly db: Db) {}

  /**
   * Usage over all keys in [from, to) as daily rows: the rolled-up days from `usage_daily`,
   * everything else (partial days at the edges, days marked as changed) summed from
   * `completions` in the same statement. A day marked after the marks were read is taken
   * from its rollup (a late write shows once it is rolled up again); one rolled up meanwhile
   * is read from its rows only.
   */
  async dailyRows(range: TimeRange): Promise<DailyUsageRow[]> {
    const firstFull = range.from ? startOfDay(range.from) : undefined;
    const fullFrom = firstFull && range.from && firstFull < range.from ? nextDay(firstFull) : firstFull;
    const fullTo = range.to ? startOfDay(range.to) : undefined;
    if (fullFrom && fullTo && fullFrom >= fullTo) return this.#read(summedRows([range]));

    const dirty = await this.#dirtyDays(fullFrom, fullTo);
    // What the rollup cannot answer: the edges and each dirty day inside.
    const raw: TimeRange[] = [];
    if (range.from && fullFrom && range.from < fullFrom) raw.push({ from: range.from, to: fullFrom });
    for (const day of dirty) raw.push({ from: day, to: nextDay(day) });
    if (fullTo && (!range.to || fullTo < range.to)) raw.push({ from: fullTo, to: range.to });

    const rolled = sql`select ${dailyColumns} from usage_daily u
      where ${within('u.day', { from: fullFrom, to: fullTo })}
        and ${
          // Exactly the days read from the rows below: a day rolled up meanwhile is not counted twice.
          dirty.length
            ? sql`u.day not in (${sql.join(
                dirty.map((day) => sql`${day.toISOString()}::timestamptz`),
                sql`, `,
              )})`
            : sql`true`
        }`;
    return this.#read(raw.length ? sql`${rolled} union all ${summedRows(raw)}` : rolled);
  }

  async #read(statement: SQL): Promise<DailyUsageRow[]> {
    return (await queryRows<RawRow>(this.db, statement)).map(toDailyRow);
  }

  async #dirtyDays(from: Date | undefined, to: Date | undefined): Promise<Date[]> {
    const rows = await queryRows<{ day: string }>(
      this.db,
      sql`
      select (extract(epoch from day) * 1000)::bigint::text as day from usage_dirty_days
      where ${within('day', { from, to })}
      order by day`,
    );
    return rows.map((row) => new Date(Number(row.day)));
  }

  /**
   * Rolls up every marked day that ended over an hour ago, one transaction per day; a day
   * written again meanwhile stays marked (its version moved) and is rolled up next time.
   * Returns how many days were rolled up; 0 when another instance holds the lock.
   */
  async rollUp(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - settleMs - dayMs);
    const due = await queryRows<{ day: string; version: string }>(
      this.db,
      sql`
      select (extract(epoch from day) * 1000)::bigint::text as day, version::text as version
      from usage_dirty_days where day <= ${before.toISOString()}::timestamptz order by day`,
    );
    let rolled = 0;
    for (const { day, version } of due) {
      const start = new Date(Number(day));
      const done = await this.db.transaction(async (tx) => {
        const [lock] = await queryRows<{ locked: boolean }>(
          tx,
          sql`select pg_try_advisory_xact_lock(${rollupLockId}) as locked`,
        );
        if (!lock?.locked) return false;
        await tx.execute(sql`delete from usage_daily where day = ${start.toISOString()}::timestamptz`);
        await tx.execute(sql`
          insert into usage_daily (day, provider, model, kind, requests, errors, prompt_tokens, completion_tokens,
            reasoning_tokens, cached_tokens, input_cost, output_cost, search_cost, total_cost, latency_sum,
            ttft_sum, ttft_count, latency_counts, ttft_counts)
          select day, provider, model, kind, requests, errors, prompt_tokens, completion_tokens, reasoning_tokens,
            cached_tokens, input_cost, output_cost, search_cost, total_cost, latency_sum, ttft_sum, ttft_count,
            latency_counts, ttft_counts
          from (${summedCompletions([{ from: start, to: nextDay(start) }])}) summed`);
        await tx.execute(sql`delete from usage_dirty_days
          where day = ${start.toISOString()}::timestamptz and version = ${Number(version)}`);
        return true;
      });
      if (!done) break;
      rolled++;
    }
    return rolled;
  }
}

/**
 * Rolls up at boot and then every `everyMs`, in the background; a failure is logged and
 * tried again next time (usage stays exact meanwhile: an unrolled day is read from rows).
 */
export function startUsageRollup(
  rollup: UsageRollup,
  logger: Logger,
  everyMs = 300_000,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const run = () => {
    if (stopped) return;
    running = rollup.rollUp().then(
      (days) => {
        if (days > 0) logger.info({ days }, 'usage rolled up');
      },
      (error: unknown) => logger.warn({ err: error }, 'usage rollup failed; tried again later'),
    );
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
