import { sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { completions } from '../db/schema.js';

/** Aggregates over a set of completions; costs are exact decimal strings (NUMERIC sums). */
export interface CompletionFigures {
  requests: number;
  /** Completions that did not succeed (failed, or cut short after text). */
  errors: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  inputCost: string;
  outputCost: string;
  /** Web search; part of totalCost. */
  searchCost: string;
  totalCost: string;
  meanLatencyMs: number | null;
  meanTtftMs: number | null;
  /** Percentiles (continuous, like PostgreSQL's percentile_cont); null without completions. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** Over completions that had a first token. */
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
}

// Sums travel as text so that neither bigint nor NUMERIC is rounded by a driver.
const sumInt = (column: AnyPgColumn) =>
  sql<string>`coalesce(sum(${column}), 0)::bigint::text`.mapWith(Number);
const sumMoney = (column: AnyPgColumn) => sql<string>`coalesce(sum(${column}), 0)::text`;
const mean = (column: AnyPgColumn) => sql<string | null>`avg(${column})::float8::text`;
const percentile = (fraction: number, column: AnyPgColumn) =>
  sql<
    string | null
  >`(percentile_cont(${sql.raw(String(fraction))}) within group (order by ${column}))::float8::text`;

/** Select columns computing the figures; use with `toFigures`. */
export const figureColumns = {
  requests: sql<string>`count(*)::bigint::text`.mapWith(Number),
  errors: sql<string>`(count(*) filter (where ${completions.status} <> 'succeeded'))::bigint::text`.mapWith(
    Number,
  ),
  promptTokens: sumInt(completions.promptTokens),
  completionTokens: sumInt(completions.completionTokens),
  reasoningTokens: sumInt(completions.reasoningTokens),
  cachedTokens: sumInt(completions.cachedTokens),
  inputCost: sumMoney(completions.inputCost),
  outputCost: sumMoney(completions.outputCost),
  searchCost: sumMoney(completions.searchCost),
  totalCost: sumMoney(completions.totalCost),
  meanLatencyMs: mean(completions.latencyMs),
  meanTtftMs: mean(completions.ttftMs),
  latencyP50Ms: percentile(0.5, completions.latencyMs),
  latencyP95Ms: percentile(0.95, completions.latencyMs),
  ttftP50Ms: percentile(0.5, completions.ttftMs),
  ttftP95Ms: percentile(0.95, completions.ttftMs),
};

type OptionalFigure =
  | 'meanLatencyMs'
  | 'meanTtftMs'
  | 'latencyP50Ms'
  | 'latencyP95Ms'
  | 'ttftP50Ms'
  | 'ttftP95Ms';
type FigureRow = Omit<CompletionFigures, OptionalFigure> & Record<OptionalFigure, string | null>;

const toNumber = (value: string | null) => (value === null ? null : Number(value));

export const toFigures = (row: FigureRow): CompletionFigures => ({
  ...row,
  meanLatencyMs: toNumber(row.meanLatencyMs),
  meanTtftMs: toNumber(row.meanTtftMs),
  latencyP50Ms: toNumber(row.latencyP50Ms),
  latencyP95Ms: toNumber(row.latencyP95Ms),
  ttftP50Ms: toNumber(row.ttftP50Ms),
  ttftP95Ms: toNumber(row.ttftP95Ms),
});
