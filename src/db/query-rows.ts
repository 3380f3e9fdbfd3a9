import type { SQL } from 'drizzle-orm';
import type { Db } from './database.js';

/**
 * The rows of a raw statement, whichever driver runs it: postgres.js answers an array of rows,
 * PGlite an object holding them. Select text (`::text`) where a driver would parse or round.
 */
export async function queryRows<T>(db: Pick<Db, 'execute'>, statement: SQL): Promise<T[]> {
  const result = (await db.execute(statement)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}
