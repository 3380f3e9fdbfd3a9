import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createTestDatabase, type Driver, type TestDatabase } from './test-database.js';

export const adminKey = 'sy-test-admin-key-0123456789abcdef';

export interface TestAppOptions {
  driver: Driver;
  /** Extra environment (provider keys and base URLs…). */
  env?: Record<string, string | undefined>;
  /** Written to a temp file and named by SWITCHYARD_CONFIG. */
  configFile?: unknown;
  random?: () => number;
}

export interface TestApp {
  app: App;
  url: string;
  db: TestDatabase;
  /** POSTs JSON with the given key (the admin key unless `null`). */
  post(path: string, body: unknown, key?: string | null): Promise<Response>;
  /** Waits until every completion answered so far is stored. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** A real server on a free port, with its own fresh database. */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const cwd = mkdtempSync(join(tmpdir(), 'switchyard-app-'));
  const env: Record<string, string | undefined> = {
    HOST: '127.0.0.1',
    PORT: '0',
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_MS: '2000',
    ...options.env,
  };
  if (options.configFile !== undefined) {
    const path = join(cwd, 'switchyard.config.json');
    writeFileSync(path, JSON.stringify(options.configFile));
    env.SWITCHYARD_CONFIG = path;
  }
  const config = loadConfig(env, cwd);
  const db = await createTestDatabase(options.driver);
  const app = await createApp({
    config,
    database: db.database,
    logger: pino({ level: 'silent' }),
    random: options.random,
  });
  await app.start();
  return {
    app,
    url: app.url,
    db,
    post: (path, body, key = adminKey) =>
      fetch(`${app.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    settled: () => app.recorder.whenIdle(),
    async close() {
      await app.stop();
      await db.drop().catch(() => {});
    },
  };
}
