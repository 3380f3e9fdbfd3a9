import { randomUUID } from 'node:crypto';
import { and, eq, isNull, lte, sql } from 'drizzle-orm';
import { picoToDecimal } from '../catalog/cost.js';
import type { Db } from '../db/database.js';
import { apiKeys, budgetReservations } from '../db/schema.js';
import { currentSpent, currentWindowStart } from './budget-sql.js';

const decimal = (pico: number) => sql`${picoToDecimal(pico)}::numeric`;

/**
 * Budget reservations. Taking one is a single statement: a conditional UPDATE of the key's
 * row (PostgreSQL locks the row and re-checks the WHERE clause after any concurrent update
 * committed, so however many requests race, `spent + reserved` never passes the budget;
 * PGlite has one connection, so its statements are serial anyway) that inserts the
 * reservation's own row only when it matched.
 */
export class BudgetStore {
  constructor(
    private readonly db: Db,
    /** How long a reservation may stay unsettled before it is presumed lost with its instance. */
    private readonly reservationTtlMs: number,
  ) {}

  /**
   * Holds `amountPico` against the key's remaining budget: the reservation's id, or
   * undefined when it does not fit (or the key was revoked meanwhile). A passed window is
   * reset to zero spend first. Only when refused are expired reservations swept, then it
   * tries once more, so the usual path stays one round trip.
   */
  async reserve(keyId: string, amountPico: number): Promise<string | undefined> {
    const id = await this.#tryReserve(keyId, amountPico);
    if (id || !(await this.#sweepExpired(keyId))) return id;
    return this.#tryReserve(keyId, amountPico);
  }

  async #tryReserve(keyId: string, amountPico: number): Promise<string | undefined> {
    const amount = decimal(amountPico);
    const held = this.db.$with('held').as(
      this.db
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
        .returning({ keyId: apiKeys.id }),
    );
    const rows = await this.db
      .with(held)
      .insert(budgetReservations)
      .select(
        this.db
          .select({
            id: sql`${randomUUID()}::uuid`.as('id'),
            apiKeyId: held.keyId,
            amountUsd: sql`${amount}`.as('amount_usd'),
            expiresAt: sql`now() + ${`${this.reservationTtlMs} milliseconds`}::interval`.as('expires_at'),
          })
          .from(held),
      )
      .returning({ id: budgetReservations.id });
    return rows[0]?.id;
  }

  /** Releases the key's expired reservations; true when there were any. */
  async #sweepExpired(keyId: string): Promise<boolean> {
    const expired = this.db.$with('expired').as(
      this.db
        .delete(budgetReservations)
        .where(and(eq(budgetReservations.apiKeyId, keyId), lte(budgetReservations.expiresAt, sql`now()`)))
        .returning({ amount: budgetReservations.amountUsd }),
    );
    const rows = await this.db
      .with(expired)
      .update(apiKeys)
      .set({
        budgetReservedUsd: sql`greatest(${apiKeys.budgetReservedUsd} - (select coalesce(sum(${expired.amount}), 0) from ${expired}), 0)`,
      })
      .where(and(eq(apiKeys.id, keyId), sql`exists (select 1 from ${expired})`))
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }

  /**
   * Releases a reservation and adds the actual cost to the current window's spend. A cost
   * above the reservation (an upstream that counted more tokens than our estimate) is
   * charged only up to the budget, so the stored spend never passes it. A reservation
   * already swept as expired is not released twice; its cost is still charged.
   */
  async settle(keyId: string, reservationId: string, actualPico: number): Promise<void> {
    const actual = decimal(actualPico);
    const released = this.db
      .$with('released')
      .as(
        this.db
          .delete(budgetReservations)
          .where(eq(budgetReservations.id, reservationId))
          .returning({ amount: budgetReservations.amountUsd }),
      );
    await this.db
      .with(released)
      .update(apiKeys)
      .set({
        budgetSpentUsd: sql`least(${currentSpent} + ${actual}, greatest(${currentSpent}, coalesce(${apiKeys.budgetUsd}, ${currentSpent} + ${actual})))`,
        budgetWindowStart: currentWindowStart,
        budgetReservedUsd: sql`greatest(${apiKeys.budgetReservedUsd} - coalesce((select ${released.amount} from ${released}), 0), 0)`,
      })
      .where(eq(apiKeys.id, keyId));
  }
}
