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
}

// Sums travel as text so that neither bigint nor NUMERIC is rounded by a driver.
const sumInt = (column: AnyPgColumn) =>
  sql<string>`coalesce(sum(${column}), 0)::bigint::text`.mapWith(Number);
const sumMoney = (column: AnyPgColumn) => sql<string>`coalesce(sum(${column}), 0)::text`;
const mean = (column: AnyPgColumn) => sql<string | null>`avg(${column})::float8::text`;

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
};

type FigureRow = Omit<CompletionFigures, 'meanLatencyMs' | 'meanTtftMs'> & {
  meanLatencyMs: string | null;
  meanTtftMs: string | null;
};

export const toFigures = ({ meanLatencyMs, meanTtftMs, ...row }: FigureRow): CompletionFigures => ({
  ...row,
  meanLatencyMs: meanLatencyMs === null ? null : Number(meanLatencyMs),
  meanTtftMs: meanTtftMs === null ? null : Number(meanTtftMs),
});
