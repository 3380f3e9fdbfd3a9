import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import { GatewayError } from '../core/gateway-error.js';
import { openDatabase } from '../db/database.js';
import { migrateDatabase } from '../db/migrate.js';
import { type ApiKeyRecord, ApiKeyStore } from '../store/api-key-store.js';
import { KeyChangeNotices } from '../store/key-change-notices.js';
import { formatKey, keyToJson } from './format-key.js';
import { limitOptions, limitsPatchOf, UsageError } from './key-limit-options.js';

const usage = `Usage: npm run keys -- <command> [options]

Commands:
  create --name <name> [--admin] [limits] [--json]   create a key; its secret is printed only this once
  list [--json]                                      every key with its limits and budget
  revoke <id|prefix>                                 revoke a key; its next request gets 401, on every
                                                     running instance
  set-limits <id|prefix> [limits]                    change some limits, leave the others

Limits ("none" removes one):
  --budget <dollars>         spending cap in US dollars, e.g. 25 or 2.50
  --period <period>          total (default), daily or monthly (windows start at 00:00 UTC)
  --rpm <n>                  requests per minute
  --tpm <n>                  tokens per minute
  --concurrency <n>          requests in flight at once
  --models <list>            comma-separated "provider" or "provider/model" entries allowed

Uses DATABASE_URL / DATA_DIR like the server. With the embedded database (no DATABASE_URL),
stop the server first: only one process can open its data directory.`;

type Print = (line: string) => void;

/** A key by id, or by its visible prefix when that names exactly one key. */
async function findKey(store: ApiKeyStore, ref: string | undefined): Promise<ApiKeyRecord> {
  if (!ref) throw new UsageError('name the key by its id or its prefix');
  const byId = await store.get(ref);
  if (byId) return byId;
  const matches = (await store.list()).filter((key) => key.prefix === ref || ref.startsWith(key.prefix));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new UsageError(`"${ref}" matches ${matches.length} keys; use the id`);
  throw new NotFound(`no key has the id or prefix "${ref}"`);
}

class NotFound extends Error {}

async function run(argv: string[], print: Print): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    print(usage);
    return;
  }
  const known = ['create', 'list', 'revoke', 'set-limits'];
  if (!known.includes(command)) throw new UsageError(`unknown command "${command}"`);
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: rest,
        allowPositionals: true,
        strict: true,
        options: {
          ...limitOptions,
          name: { type: 'string' },
          admin: { type: 'boolean' },
          json: { type: 'boolean' },
        },
      });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  })();
  const patch = limitsPatchOf(values);
  const hasLimits = Object.keys(patch).length > 0;
  if (command === 'create' && !values.name) throw new UsageError('create needs --name <name>');
  if ((command === 'list' || command === 'create') && positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if ((command === 'revoke' || command === 'set-limits') && positionals.length !== 1)
    throw new UsageError(`${command} needs exactly one key id or prefix`);
  if (command === 'set-limits' && !hasLimits)
    throw new UsageError('set-limits needs at least one limit option');
  if (command !== 'create' && (values.name !== undefined || values.admin))
    throw new UsageError('--name and --admin only go with create');
  if ((command === 'list' || command === 'revoke') && hasLimits)
    throw new UsageError(`${command} takes no limit options`);

  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateDatabase(database);
    // A revocation or new limits return once every running instance has applied them.
    // (Its warnings go to stderr, apart from the output.)
    const logger = pino({ level: config.logLevel }, pino.destination(2));
    const store = new ApiKeyStore(database.db, undefined, new KeyChangeNotices(database, { logger }));
    if (command === 'create') {
      const created = await store.create(values.name!, values.admin ? ['admin'] : ['user'], {
        limits: patch,
      });
      const record = (await store.get(created.id))!;
      if (values.json) print(JSON.stringify({ ...keyToJson(record), secret: created.secret }));
      else {
        print(formatKey(record));
        print(`\nSecret (shown only this once, keep it now):\n\n  ${created.secret}\n`);
      }
    } else if (command === 'list') {
      const keys = await store.list();
      if (values.json) print(JSON.stringify(keys.map(keyToJson)));
      else print(keys.length === 0 ? 'no keys' : keys.map(formatKey).join('\n\n'));
    } else if (command === 'revoke') {
      const key = await findKey(store, positionals[0]);
      const revoked = (await store.revoke(key.id))!;
      print(values.json ? JSON.stringify(keyToJson(revoked)) : `revoked\n${formatKey(revoked)}`);
    } else {
      const key = await findKey(store, positionals[0]);
      const updated = (await store.setLimits(key.id, patch))!;
      print(values.json ? JSON.stringify(keyToJson(updated)) : formatKey(updated));
    }
  } finally {
    await database.close();
  }
}

try {
  await run(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n\n${usage}\n`);
    process.exitCode = 2;
  } else if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
    process.exitCode = 2;
  } else if (error instanceof GatewayError && error.code === 'invalid_request') {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof NotFound) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    // Never a stack trace: it could carry a connection string.
    process.stderr.write(
      `error: ${error instanceof Error ? error.message.split('\n')[0] : 'unexpected failure'}\n`,
    );
    process.exitCode = 1;
  }
}
