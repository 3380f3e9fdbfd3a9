import { and, eq, isNull, sql } from 'drizzle-orm';
import { picoToDecimal } from '../catalog/cost.js';
import type { Db } from '../db/database.js';
import { apiKeys } from '../db/schema.js';
import { currentSpent, currentWindowStart } from './budget-sql.js';

/**
 * Budget reservations, each one conditional UPDATE on the key's row. PostgreSQL locks the
 * row and re-checks the WHERE clause after any concurrent update committed, so however
 * many requests race, `spent + reserved` never passes the budget (PGlite has one
 * connection, so its statements are serial anyway).
 */
export class BudgetStore {
  constructor(private readonly db: Db) {}

  /**
   * Holds `amountPico` against the key's remaining budget. False when it does not fit
   * (or the key was revoked meanwhile). A passed window is reset to zero spend first.
   */
  async reserve(keyId: string, amountPico: number): Promise<boolean> {
    const amount = sql`${picoToDecimal(amountPico)}::numeric`;
    const rows = await this.db
      .update(apiKeys)
      .set({
        budgetSpentUsd: currentSpent,
        budgetWindowStart: currentWindowStart,
        budgetReservedUsd: sql`${apiKeys.budgetReservedUsd} + ${amount}`,
      })
      .where(
        and(
          eq(apiKeys.id, keyId),
          isNull(apiKeys.revokedAt),
          sql`(${apiKeys.budgetUsd} is null or ${currentSpent} + ${apiKeys.budgetReservedUsd} + ${amount} <= ${apiKeys.budgetUsd})`,
        ),
      )
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }

  /**
   * Releases a reservation and adds the actual cost to the current window's spend. A cost
   * above the reservation (an upstream that counted more tokens than our estimate) is
   * charged only up to the budget, so the stored spend never passes it.
   */
  async settle(keyId: string, reservedPico: number, actualPico: number): Promise<void> {
    const reserved = sql`${picoToDecimal(reservedPico)}::numeric`;
    const actual = sql`${picoToDecimal(actualPico)}::numeric`;
    await this.db
      .update(apiKeys)
      .set({
        budgetSpentUsd: sql`least(${currentSpent} + ${actual}, greatest(${currentSpent}, coalesce(${apiKeys.budgetUsd}, ${currentSpent} + ${actual})))`,
        budgetWindowStart: currentWindowStart,
        budgetReservedUsd: sql`greatest(${apiKeys.budgetReservedUsd} - ${reserved}, 0)`,
      })
      .where(eq(apiKeys.id, keyId));
  }
}
