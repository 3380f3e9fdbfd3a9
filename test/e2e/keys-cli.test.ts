import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { adminKey } from '../support/test-app.js';
import { createTestDatabase, drivers, type TestDatabase } from '../support/test-database.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runCli(dbEnv: Record<string, string>, args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...dbEnv, SWITCHYARD_CONFIG: '', LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Each run is a new Node process (tsx, then the database): seconds each on a busy machine. */
const cliTestTimeout = 180_000;

describe.each(drivers)('npm run keys on %s', (driver) => {
  let dbEnv: Record<string, string>;
  let testDb: TestDatabase | undefined;
  let dataDir: string | undefined;

  beforeAll(async () => {
    if (driver === 'postgres') {
      testDb = await createTestDatabase('postgres');
      dbEnv = { DATABASE_URL: testDb.url!, DATA_DIR: '.unused' };
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
      dbEnv = { DATABASE_URL: '', DATA_DIR: dataDir };
    }
  });
  afterAll(async () => {
    await testDb?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runCli(dbEnv, args);

  /** A server on the same database as the CLI, for as long as `work` runs (PGlite allows one process at a time). */
  const withServer = async (
    work: (post: (key: string, model: string) => Promise<number>) => Promise<void>,
  ) => {
    const config = loadConfig({ ...dbEnv, HOST: '127.0.0.1', PORT: '0', ADMIN_API_KEY: adminKey }, root);
    const app = await createApp({ config, logger: pino({ level: 'silent' }) });
    await app.start();
    try {
      await work(async (key, model) => {
        const response = await fetch(`${app.url}/api/v1/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ messages: [{ role: 'user', content: 'hello' }], models: [model] }),
        });
        await response.body?.cancel();
        return response.status;
      });
    } finally {
      await app.stop();
    }
  };

  it(
    'creates a key shown once, lists it, changes its limits and revokes it',
    async () => {
      const created = await cli(
        'create',
        '--name',
        'ci bot',
        '--models',
        'local/echo',
        '--budget',
        '5',
        '--json',
      );
      expect(created).toMatchObject({ code: 0, stderr: '' });
      const key = JSON.parse(created.stdout);
      expect(key).toMatchObject({
        name: 'ci bot',
        scopes: ['user'],
        limits: { allowedModels: ['local/echo'], budgetUsd: '5', budgetPeriod: 'total' },
        budget: { limitUsd: '5', spentUsd: '0', remainingUsd: '5' },
      });
      expect(key.secret).toMatch(/^sy-/);
      expect(key.secret.startsWith(key.prefix)).toBe(true);

      const listed = await cli('list');
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(key.id);
      expect(listed.stdout).toContain('$5 total');
      // The secret is never shown again.
      expect(listed.stdout).not.toContain(key.secret);
      expect((await cli('list', '--json')).stdout).not.toContain(key.secret);

      await withServer(async (post) => {
        expect(await post(key.secret, 'local/echo')).toBe(200);
        expect(await post(key.secret, 'local/other')).toBe(422);
      });

      const limited = await cli(
        'set-limits',
        key.prefix,
        '--rpm',
        '1',
        '--models',
        'none',
        '--budget',
        'none',
      );
      expect(limited.code).toBe(0);
      expect(limited.stdout).toContain('rpm 1');
      expect(limited.stdout).toContain('models all');
      await withServer(async (post) => {
        expect(await post(key.secret, 'local/other')).toBe(502);
        expect(await post(key.secret, 'local/echo')).toBe(429);
      });

      const revoke = async () => {
        const revoked = await cli('revoke', key.id);
        expect(revoked.code).toBe(0);
        expect(revoked.stdout).toContain('REVOKED');
      };
      if (driver === 'postgres') {
        // A running server that has the key cached has dropped it when the CLI returns.
        await withServer(async (post) => {
          expect(await post(key.secret, 'local/echo')).toBe(200);
          await revoke();
          expect(await post(key.secret, 'local/echo')).toBe(401);
        });
      } else {
        await revoke();
        await withServer(async (post) => {
          expect(await post(key.secret, 'local/echo')).toBe(401);
        });
      }
    },
    cliTestTimeout,
  );
});

describe('npm run keys usage errors', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const cli = (...args: string[]) => runCli({ DATABASE_URL: '', DATA_DIR: dataDir }, args);

  it(
    'answers a command line it cannot use with a clear message and exit code 2',
    async () => {
      const unknown = await cli('rotate');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('unknown command "rotate"');
      expect(unknown.stderr).toContain('Usage: npm run keys');

      const noName = await cli('create');
      expect(noName.code).toBe(2);
      expect(noName.stderr).toContain('create needs --name');

      const badBudget = await cli('create', '--name', 'x', '--budget', 'lots');
      expect(badBudget.code).toBe(2);
      expect(badBudget.stderr).toContain('budgetUsd: must be a dollar amount');

      const badPeriod = await cli('set-limits', 'sy-whatever', '--period', 'weekly');
      expect(badPeriod.code).toBe(2);
      expect(badPeriod.stderr).toContain('--period: must be total, daily or monthly');

      const unknownOption = await cli('list', '--verbose');
      expect(unknownOption.code).toBe(2);
      expect(unknownOption.stderr).toContain("'--verbose'");

      const missing = await cli('revoke', '00000000-0000-0000-0000-000000000000');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('no key has the id or prefix');
    },
    cliTestTimeout,
  );
});
