import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { apiKeys } from '../db/schema.js';

/**
 * Answers "is this key still active?" for long-lived subscriptions, which authenticated once
 * but must stop when their key is revoked, whichever instance revoked it. One indexed read by
 * primary key; concurrent questions about one key share a read, and an answer younger than
 * `maxAgeMs` is reused (0: always read).
 */
export class KeyActivity {
  readonly #answers = new Map<string, { active: boolean; at: number }>();
  readonly #reading = new Map<string, Promise<boolean>>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  isActive(keyId: string, maxAgeMs = 0): Promise<boolean> {
    const known = this.#answers.get(keyId);
    if (known && maxAgeMs > 0 && this.now() - known.at < maxAgeMs) return Promise.resolve(known.active);
    let reading = this.#reading.get(keyId);
    if (!reading) {
      const startedAt = this.now();
      reading = this.#read(keyId).then(
        (active) => {
          this.#reading.delete(keyId);
          // Remembered only while someone may ask again soon; inactive keys never come back.
          if (this.#answers.size > 10_000) this.#answers.clear();
          this.#answers.set(keyId, { active, at: startedAt });
          return active;
        },
        (error: unknown) => {
          this.#reading.delete(keyId);
          throw error;
        },
      );
      this.#reading.set(keyId, reading);
    }
    return reading;
  }

  async #read(keyId: string): Promise<boolean> {
    const rows = await this.db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .limit(1);
    return rows.length > 0;
  }
}
