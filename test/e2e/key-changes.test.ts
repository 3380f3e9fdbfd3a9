import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { queryData } from '../support/graphql.js';
import { adminKey } from '../support/test-app.js';
import { createTestDatabase, drivers, type TestDatabase } from '../support/test-database.js';

/**
 * Keys are cached for a long time here (10 minutes), so that what the tests see can only
 * come from the change being announced: on PostgreSQL, two instances each with their own
 * connections (the second one hears the first through LISTEN/NOTIFY).
 */
describe.each(drivers)('a changed key applies at once on every instance on %s', (driver) => {
  let testDb: TestDatabase;
  let secondDatabase: Database | undefined;
  const apps: App[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    // PGlite is one process: the second instance shares its handle (and its notifications).
    if (testDb.url) secondDatabase = await openDatabase({ url: testDb.url, dataDir: '' });
    const cwd = mkdtempSync(join(tmpdir(), 'switchyard-keys-'));
    writeFileSync(join(cwd, 'switchyard.config.json'), JSON.stringify({ auth: { keyCacheTtlMs: 600_000 } }));
    for (const database of [testDb.database, secondDatabase ?? testDb.database]) {
      const config = loadConfig(
        {
          HOST: '127.0.0.1',
          PORT: '0',
          ADMIN_API_KEY: adminKey,
          SWITCHYARD_CONFIG: join(cwd, 'switchyard.config.json'),
        },
        cwd,
      );
      const app = await createApp({ config, database, logger: pino({ level: 'silent' }) });
      await app.start();
      apps.push(app);
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.stop().catch(() => {});
    await testDb.drop().catch(() => {});
  });

  const status = async (app: App, key: string, model = 'local/echo') => {
    const response = await fetch(`${app.url}/api/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hello' }], models: [model] }),
    });
    await response.body?.cancel();
    return response.status;
  };
  const [first, second] = [() => apps[0]!, () => apps[1]!];

  it('revoking a key on one instance refuses its next request on the other', async () => {
    const key = await first().apiKeys.create('soon revoked', ['user']);
    // Both instances now hold the key in their caches.
    expect(await status(first(), key.secret)).toBe(200);
    expect(await status(second(), key.secret)).toBe(200);

    await queryData(first().url, 'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', {
      id: key.id,
    });
    expect(await status(first(), key.secret)).toBe(401);
    // The other instance hears of it a moment later, without waiting for its cache to expire.
    await vi.waitFor(async () => expect(await status(second(), key.secret)).toBe(401), {
      timeout: 5_000,
      interval: 20,
    });
  });

  it('new limits set on one instance apply to the next request on the other', async () => {
    const key = await first().apiKeys.create('soon limited', ['user']);
    expect(await status(second(), key.secret, 'local/other')).toBe(502);

    await first().apiKeys.setLimits(key.id, { allowedModels: ['local/echo'] });
    await vi.waitFor(async () => expect(await status(second(), key.secret, 'local/other')).toBe(422), {
      timeout: 5_000,
      interval: 20,
    });
    expect(await status(second(), key.secret)).toBe(200);
  });

  it('a wrong key is refused every time, and a key created a moment ago works at once', async () => {
    expect(await status(second(), 'sy-not-a-key-0123456789')).toBe(401);
    const key = await first().apiKeys.create('brand new', ['user']);
    expect(await status(second(), key.secret)).toBe(200);
  });
});
