import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

/**
 * Settings of the embedded database, chosen by measurement (bench/embedded-memory.ts):
 * PGlite's default shared_buffers (128 MB) is WebAssembly memory, which never shrinks;
 * 16 MB keeps a restarted gateway's database near 240 MB instead of 360 MB, at about the
 * same CPU per write. Durability is unchanged (fsync and synchronous_commit stay on).
 */
export const pgliteSettings = ['shared_buffers=16MB'];

/** Extensions the migrations use, loaded into every PGlite (PostgreSQL ships them as contrib). */
export const pgliteExtensions = { pg_trgm };

/** Whether `dataDir` already holds a database cluster. */
export const holdsCluster = (dataDir: string): boolean => existsSync(join(dataDir, 'PG_VERSION'));

/**
 * Runs initdb for `dataDir` in a child process, and the migrations after it. initdb grows
 * PGlite's WebAssembly memory (near 1 GB resident), the migrations some more, and that memory
 * is never returned while the process lives; in a child it is returned when the child exits,
 * and the gateway then opens the cluster like a restart does (its own migration step finds
 * nothing left to apply).
 */
export function initPgliteDataDir(dataDir: string): Promise<void> {
  const here = fileURLToPath(import.meta.url);
  // src/ under tsx (the child needs tsx's loader too, whoever started this process: tsx, a
  // test runner…), dist/ when compiled.
  const typescript = here.endsWith('.ts');
  const args = [...(typescript ? ['--import', import.meta.resolve('tsx')] : []), here, dataDir];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`initdb of ${dataDir} failed (${code}): ${stderr.slice(-2000)}`)),
    );
  });
}

// The child: create the cluster, apply the migrations (what they grow is returned too, so a
// first boot opens the same database a restart does), and exit.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const { migrationsFolder } = await import('./migrate.js');
  const client = await PGlite.create(process.argv[2]!, {
    postgresqlconf: pgliteSettings,
    extensions: pgliteExtensions,
  });
  await migrate(drizzle(client), { migrationsFolder });
  await client.close();
}
