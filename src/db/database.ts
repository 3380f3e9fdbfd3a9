import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { holdsCluster, initPgliteDataDir, pgliteExtensions, pgliteSettings } from './init-pglite-data-dir.js';
import * as schema from './schema.js';

export { pgliteExtensions };

/** The Drizzle database, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  driver: 'pglite' | 'postgres';
  /**
   * The `application_name` of the session that `listen`s (PostgreSQL only), by which other
   * processes on the database find this one in `pg_stat_activity`; undefined when unnamed.
   */
  listenerName: string | undefined;
  /** Runs `work` while holding a session-level advisory lock (no-op on PGlite: one connection). */
  withLock<T>(lockId: number, work: () => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  /**
   * Hears `NOTIFY channel` from every connection to this database. `onListening` runs each
   * time the listener is (re)connected: whatever was sent while it was away is lost. Resolves,
   * once listening, with the function that stops it.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onListening: () => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres://…`, `memory://`, or undefined for PGlite in `dataDir`. */
  url: string | undefined;
  dataDir: string;
  /** Start an in-memory PGlite from this dump instead of running initdb (tests). */
  loadDataDir?: Blob | File | undefined;
  /** Names the listening session (see `Database.listenerName`). */
  listenerName?: string | undefined;
}

function openPostgres(url: string, listenerName: string | undefined): Database {
  const client = postgres(url, { onnotice: () => {}, max: 10, idle_timeout: 30 });
  const db = drizzlePostgres(client, { schema });
  // postgres.js listens on a connection of its own; a client of its own names just that one
  // (this client itself never connects: only its listener does).
  const listener = postgres(url, {
    onnotice: () => {},
    ...(listenerName ? { connection: { application_name: listenerName } } : {}),
  });
  return {
    db,
    driver: 'postgres',
    listenerName,
    async withLock(lockId, work) {
      const reserved = await client.reserve();
      try {
        await reserved`select pg_advisory_lock(${lockId})`;
        return await work();
      } finally {
        await reserved`select pg_advisory_unlock(${lockId})`.catch(() => {});
        reserved.release();
      }
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async listen(channel, onNotify, onListening) {
      const { unlisten } = await listener.listen(channel, onNotify, onListening);
      return unlisten;
    },
    close: async () => {
      await Promise.all([client.end({ timeout: 5 }), listener.end({ timeout: 1 })]);
    },
  };
}

async function openPglite(
  dataDir: string | undefined,
  loadDataDir: Blob | File | undefined,
): Promise<Database> {
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    // A first boot: initdb in a child process, so that its memory is returned.
    if (!holdsCluster(dataDir)) await initPgliteDataDir(dataDir);
  }
  const client = await PGlite.create(dataDir ?? 'memory://', {
    extensions: pgliteExtensions,
    postgresqlconf: pgliteSettings,
    ...(loadDataDir ? { loadDataDir } : {}),
  });
  const db = drizzlePglite(client, { schema });
  return {
    db,
    driver: 'pglite',
    listenerName: undefined,
    withLock: (_lockId, work) => work(),
    async ping() {
      await client.query('select 1');
    },
    async listen(channel, onNotify, onListening) {
      const unlisten = await client.listen(channel, onNotify);
      onListening();
      return unlisten;
    },
    close: () => client.close(),
  };
}

/** Opens the database named by the configuration. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { url } = options;
  if (url?.startsWith('postgres')) return openPostgres(url, options.listenerName);
  if (url === 'memory://') return openPglite(undefined, options.loadDataDir);
  return openPglite(options.dataDir, undefined);
}
