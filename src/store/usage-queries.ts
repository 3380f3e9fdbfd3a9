import { and, asc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/database.js';
import { apiKeys, completions } from '../db/schema.js';
import { type CompletionFigures, figureColumns, toFigures } from './completion-figures.js';
import { type DailyUsageRow, groupRows, totalOfRows } from './usage-distribution.js';
import { UsageRollup } from './usage-rollup.js';

export const usageDimensions = ['model', 'provider', 'day', 'hour', 'key', 'kind'] as const;
export type UsageDimension = (typeof usageDimensions)[number];

export type UsageFigures = CompletionFigures;

/** One group of completions; a dimension not grouped by is null. */
export interface UsageBucket extends UsageFigures {
  provider: string | null;
  model: string | null;
  day: Date | null;
  hour: Date | null;
  keyId: string | null;
  keyName: string | null;
  /** `chat` or `embedding`. */
  kind: string | null;
}

export interface UsageFilter {
  principal: Principal;
  /** Inclusive. */
  from: Date | undefined;
  /** Exclusive. */
  to: Date | undefined;
}

// Buckets start at UTC midnight / the hour; epoch milliseconds read the same on every driver.
// The unit is inlined, not bound: GROUP BY must repeat the select expression word for word.
const bucketStart = (unit: 'day' | 'hour') =>
  sql<string>`(extract(epoch from date_trunc(${sql.raw(`'${unit}'`)}, ${completions.createdAt}, 'UTC')) * 1000)::bigint::text`;
const keyName = sql<string>`(select ${apiKeys.name} from ${apiKeys} where ${apiKeys.id} = ${completions.apiKeyId})`;

/** What the daily rollup can group by: everything but the key and the hour. */
const rolledUpDimensions: ReadonlySet<UsageDimension> = new Set(['model', 'provider', 'day', 'kind']);

/**
 * Usage aggregated in SQL. One key's usage is read from its completions (an index on key
 * and time finds them); usage over all keys, unless grouped by key or hour, from the daily
 * rollup plus the completions the rollup does not hold yet (usage-rollup.ts). The figures
 * are the same either way.
 */
export class UsageQueries {
  readonly #rollup: UsageRollup;

  constructor(private readonly db: Db) {
    this.#rollup = new UsageRollup(db);
  }

  #rolledUp(filter: UsageFilter, dimensions: readonly UsageDimension[]): boolean {
    return filter.principal.admin && dimensions.every((dimension) => rolledUpDimensions.has(dimension));
  }

  #where({ principal, from, to }: UsageFilter): SQL | undefined {
    return and(
      principal.admin ? undefined : eq(completions.apiKeyId, principal.keyId),
      from ? gte(completions.createdAt, from) : undefined,
      to ? lt(completions.createdAt, to) : undefined,
    );
  }

  async totals(filter: UsageFilter): Promise<UsageFigures> {
    if (this.#rolledUp(filter, [])) return totalOfRows(await this.#rollup.dailyRows(filter));
    return this.completionTotals(filter);
  }

  /** The totals from the completions themselves (what the rollup must agree with). */
  async completionTotals(filter: UsageFilter): Promise<UsageFigures> {
    const [row] = await this.db.select(figureColumns).from(completions).where(this.#where(filter));
    return toFigures(row!);
  }

  /** One bucket per distinct combination of the dimensions, in dimension order. */
  async buckets(filter: UsageFilter, dimensions: readonly UsageDimension[]): Promise<UsageBucket[]> {
    if (dimensions.length === 0) return [];
    if (this.#rolledUp(filter, dimensions))
      return bucketsOfRows(await this.#rollup.dailyRows(filter), dimensions);
    return this.completionBuckets(filter, dimensions);
  }

  /** The buckets from the completions themselves (what the rollup must agree with). */
  async completionBuckets(
    filter: UsageFilter,
    dimensions: readonly UsageDimension[],
  ): Promise<UsageBucket[]> {
    const by = new Set(dimensions);
    const expressions: Record<UsageDimension, SQL> = {
      model: sql`${completions.model}`,
      provider: sql`${completions.provider}`,
      day: bucketStart('day'),
      hour: bucketStart('hour'),
      key: sql`${completions.apiKeyId}`,
      kind: sql`${completions.kind}`,
    };
    const pick = <T>(dimension: UsageDimension, expression: SQL<T>) =>
      by.has(dimension) ? expression : sql<null>`null`;
    const rows = await this.db
      .select({
        ...figureColumns,
        provider: pick('provider', sql<string | null>`${completions.provider}`),
        model: pick('model', sql<string | null>`${completions.model}`),
        day: pick('day', bucketStart('day')),
        hour: pick('hour', bucketStart('hour')),
        keyId: pick('key', sql<string>`${completions.apiKeyId}`),
        keyName: pick('key', keyName),
        kind: pick('kind', sql<string>`${completions.kind}`),
      })
      .from(completions)
      .where(this.#where(filter))
      .groupBy(...dimensions.map((dimension) => expressions[dimension]))
      .orderBy(...dimensions.map((dimension) => asc(expressions[dimension])));
    return rows.map((row) => ({
      ...toFigures(row),
      provider: row.provider,
      model: row.model,
      day: row.day === null ? null : new Date(Number(row.day)),
      hour: row.hour === null ? null : new Date(Number(row.hour)),
      keyId: row.keyId,
      keyName: row.keyName,
      kind: row.kind,
    }));
  }
}

/** Daily rows grouped by the dimensions, ordered like the SQL path (ascending, nulls last). */
function bucketsOfRows(rows: readonly DailyUsageRow[], dimensions: readonly UsageDimension[]): UsageBucket[] {
  const by = new Set(dimensions);
  // The bucket's dimension values of a row: '' is the rollup's "none" for provider and model.
  const keyOf = (row: DailyUsageRow) => ({
    provider: by.has('provider') && row.provider !== '' ? row.provider : null,
    model: by.has('model') && row.model !== '' ? row.model : null,
    day: by.has('day') ? row.day.getTime() : null,
    kind: by.has('kind') ? row.kind : null,
  });
  const groups = groupRows(rows, (row) => JSON.stringify(keyOf(row)));
  const keyed = groups.map(({ sample, figures }) => ({ key: keyOf(sample), figures }));
  const compare = (a: string | number | null, b: string | number | null) =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
  keyed.sort((a, b) => {
    for (const dimension of dimensions) {
      const field = dimension as keyof (typeof keyed)[number]['key'];
      const order = compare(a.key[field], b.key[field]);
      if (order !== 0) return order;
    }
    return 0;
  });
  return keyed.map(({ key, figures }) => ({
    ...figures,
    ...key,
    day: key.day === null ? null : new Date(key.day),
    hour: null,
    keyId: null,
    keyName: null,
  }));
}
