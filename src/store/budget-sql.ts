import { type SQL, sql } from 'drizzle-orm';
import { apiKeys } from '../db/schema.js';

/**
 * Start of the key's current budget window in UTC (null for the `total` period). Daily
 * windows start at 00:00 UTC, monthly ones at 00:00 UTC on the 1st; computed by the
 * database so that every instance agrees on the window whatever its clock.
 */
export const currentWindowStart: SQL = sql`(case ${apiKeys.budgetPeriod}
  when 'daily' then date_trunc('day', now(), 'UTC')
  when 'monthly' then date_trunc('month', now(), 'UTC')
end)`;

/** The spend of the current window: the stored spend, or zero once its window has passed. */
export const currentSpent: SQL = sql`(case when ${apiKeys.budgetWindowStart} is not distinct from ${currentWindowStart}
  then ${apiKeys.budgetSpentUsd} else 0 end)`;
