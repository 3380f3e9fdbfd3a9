import { and, asc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/database.js';
import { apiKeys, completions } from '../db/schema.js';
import { type CompletionFigures, figureColumns, toFigures } from './completion-figures.js';

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

/** Usage aggregated in SQL over the completions table. */
export class UsageQueries {
  constructor(private readonly db: Db) {}

  #where({ principal, from, to }: UsageFilter): SQL | undefined {
    return and(
      principal.admin ? undefined : eq(completions.apiKeyId, principal.keyId),
      from ? gte(completions.createdAt, from) : undefined,
      to ? lt(completions.createdAt, to) : undefined,
    );
  }

  async totals(filter: UsageFilter): Promise<UsageFigures> {
    const [row] = await this.db.select(figureColumns).from(completions).where(this.#where(filter));
    return toFigures(row!);
  }

  /** One bucket per distinct combination of the dimensions, in dimension order. */
  async buckets(filter: UsageFilter, dimensions: readonly UsageDimension[]): Promise<UsageBucket[]> {
    if (dimensions.length === 0) return [];
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
