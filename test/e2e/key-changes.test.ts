import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { keyChangeAckTimeoutMs, newInstanceListenerName } from '../../src/store/key-change-notices.js';
import { queryData } from '../support/graphql.js';
import { adminKey } from '../support/test-app.js';
import { createTestDatabase, drivers, type TestDatabase } from '../support/test-database.js';

/**
 * Keys are cached for a long time here (10 minutes), so that what the tests see can only
 * come from the change being announced: on PostgreSQL, two instances each with their own
 * connections (the second one hears the first through LISTEN/NOTIFY, and the first waits for
 * its acknowledgement).
 */
describe.each(drivers)('a changed key applies at once on every instance on %s', (driver) => {
  let testDb: TestDatabase;
  const apps: App[] = [];
  const warnings: string[] = [];
  let cwd: string;

  const startApp = async (database: Database) => {
    const config = loadConfig(
      {
        HOST: '127.0.0.1',
        PORT: '0',
        ADMIN_API_KEY: adminKey,
        SWITCHYARD_CONFIG: join(cwd, 'switchyard.config.json'),
      },
      cwd,
    );
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const app = await createApp({ config, database, logger });
    await app.start();
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    cwd = mkdtempSync(join(tmpdir(), 'switchyard-keys-'));
    writeFileSync(join(cwd, 'switchyard.config.json'), JSON.stringify({ auth: { keyCacheTtlMs: 600_000 } }));
    // PGlite is one process: the second instance shares its handle (and its notifications).
    // On PostgreSQL each instance has its own connections, named like a server's.
    for (let i = 0; i < 2; i++) {
      const database = testDb.url
        ? await openDatabase({ url: testDb.url, dataDir: '', listenerName: newInstanceListenerName() })
        : testDb.database;
      await startApp(database);
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
    // The mutation returned once the other instance had dropped the key: no waiting here.
    expect(await status(second(), key.secret)).toBe(401);
  });

  it('new limits set on one instance apply to the next request on the other', async () => {
    const key = await first().apiKeys.create('soon limited', ['user']);
    expect(await status(second(), key.secret, 'local/other')).toBe(502);

    await first().apiKeys.setLimits(key.id, { allowedModels: ['local/echo'] });
    expect(await status(second(), key.secret, 'local/other')).toBe(422);
    expect(await status(second(), key.secret)).toBe(200);
  });

  it('a wrong key is refused every time, and a key created a moment ago works at once', async () => {
    expect(await status(second(), 'sy-not-a-key-0123456789')).toBe(401);
    const key = await first().apiKeys.create('brand new', ['user']);
    expect(await status(second(), key.secret)).toBe(200);
  });

  // Only PostgreSQL has other instances to wait for (PGlite is one process), so only there.
  if (driver === 'postgres')
    it('an instance that does not acknowledge holds a revocation up for the bound only, and is named', async () => {
      const key = await first().apiKeys.create('revoked past a silent instance', ['user']);
      // A session named like an instance that never answers: a process cut off mid-way.
      const silent = await openDatabase({
        url: testDb.url!,
        dataDir: '',
        listenerName: newInstanceListenerName(),
      });
      try {
        const stopListening = await silent.listen(
          'switchyard_unrelated',
          () => {},
          () => {},
        );
        const startedAt = Date.now();
        await first().apiKeys.revoke(key.id);
        const took = Date.now() - startedAt;
        expect(took).toBeGreaterThanOrEqual(keyChangeAckTimeoutMs - 50);
        expect(took).toBeLessThan(keyChangeAckTimeoutMs + 1_500);
        expect(await status(second(), key.secret)).toBe(401);
        expect(warnings.join('')).toContain(silent.listenerName!);
        await stopListening();
      } finally {
        await silent.close();
      }
      // Gone (its sockets closed): the next revocation waits for the live instance only.
      const next = await first().apiKeys.create('revoked after', ['user']);
      const startedAt = Date.now();
      await first().apiKeys.revoke(next.id);
      expect(Date.now() - startedAt).toBeLessThan(keyChangeAckTimeoutMs / 2);
    });
});
