import { randomUUID } from 'node:crypto';
import postgres from 'postgres';

/**
 * The PostgreSQL that every machine here and CI runs; TEST_DATABASE_URL names another. The
 * multi-instance suite needs a real server: when this one cannot be reached it fails (loudly),
 * it does not skip.
 */
export const postgresAdminUrl =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface EmptyDatabase {
  /** The DATABASE_URL of the new, empty (not migrated) database. */
  url: string;
  /** A client on it, for the test's own checks. */
  sql: postgres.Sql;
  drop(): Promise<void>;
}

/** A new empty database on the server of `postgresAdminUrl`, private to the caller. */
export async function createEmptyDatabase(): Promise<EmptyDatabase> {
  const name = `switchyard_fleet_${randomUUID().replaceAll('-', '')}`;
  const admin = postgres(postgresAdminUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    await admin.end();
    throw new Error(
      `the multi-instance suite needs PostgreSQL at ${postgresAdminUrl} (set TEST_DATABASE_URL): ${String(error)}`,
    );
  }
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  return {
    url: url.toString(),
    sql,
    async drop() {
      await sql.end({ timeout: 1 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
