import { fileURLToPath } from 'node:url';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { Database } from './database.js';
import type * as schema from './schema.js';

/** Resolved from this file, so it works from src/ and dist/ and any working directory. */
export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Arbitrary constant shared by every Switchyard instance that migrates the same database. */
const migrationLockId = 0x5377_7961;

/** Applies pending migrations; concurrent instances on one PostgreSQL wait for each other. */
export async function migrateDatabase(database: Database): Promise<void> {
  await database.withLock(migrationLockId, async () => {
    if (database.driver === 'postgres') {
      await migratePostgres(database.db as PostgresJsDatabase<typeof schema>, { migrationsFolder });
    } else {
      await migratePglite(database.db as PgliteDatabase<typeof schema>, { migrationsFolder });
    }
  });
}
