/**
 * `npm run bench -- --scale[=F]`: costs as data grows, on PostgreSQL. Loads 1 million
 * completions over 1,000 keys and 100,000 conversations spread over 90 days (times F, e.g.
 * `--scale=0.01` for a quick run) through the real write path (`writeCompletionBatch`, the
 * recorder's one statement per batch), then measures through a compiled gateway: GraphQL
 * usage for one key and for an admin, a filtered conversation page, opening and continuing a
 * 200-turn conversation, and prints the plans PostgreSQL chose. Uses its own database (on
 * `DATABASE_URL`'s server, default postgres://postgres@127.0.0.1:5432) and drops it after,
 * unless `--keep`. Writes bench/results/scale.{md,json} (scale-<F>.* for a smaller run).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { hashSecret, visiblePrefixOf } from '../src/auth/api-key-secret.js';
import type { Database, Db } from '../src/db/database.js';
import { migrateDatabase } from '../src/db/migrate.js';
import * as schema from '../src/db/schema.js';
import type { CompletionRecord } from '../src/store/completion-recorder.js';
import { UsageRollup } from '../src/store/usage-rollup.js';
import { writeCompletionBatch } from '../src/store/write-completion-batch.js';
import { median, percentile } from './load.js';
import { startProcess } from './processes.js';
import { scaleRecord, topics } from './scale-records.js';
import { writeScaleReport } from './scale-report.js';
import { createUpstreamServer } from './upstream-server.js';

const scaleArg = process.argv.find((arg) => arg.startsWith('--scale='));
const fraction = scaleArg ? Number(scaleArg.slice('--scale='.length)) : 1;
if (!(fraction > 0 && fraction <= 1)) throw new Error('--scale=F takes a fraction in (0, 1]');
const reuseArg = process.argv.find((arg) => arg.startsWith('--reuse='));
/** Measure again on a database a previous `--keep` run loaded (its writer figures are not re-measured). */
const reused = reuseArg?.slice('--reuse='.length);
const keep = reused !== undefined || process.argv.includes('--keep');
const root = new URL('..', import.meta.url).pathname;
const log = (line: string) => process.stdout.write(`${line}\n`);

const volume = {
  completions: Math.round(1_000_000 * fraction),
  keys: Math.max(10, Math.round(1_000 * fraction)),
  conversations: Math.round(100_000 * fraction),
  days: 90,
  /** Conversations of 100 completions (200 turns) written last, to open and continue. */
  longConversations: 10,
};
const samples = 40;
const batchSize = 500;

const serverUrl = (process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').replace(
  /\/[^/?]*(\?.*)?$/,
  '',
);
const databaseName = reused ?? `switchyard_scale_${process.pid}`;
const databaseUrl = `${serverUrl}/${databaseName}`;
const adminKey = 'sy-scale-admin-key-0123456789abcdef';
const keySecret = (i: number) => `sy-scale-key-${String(i).padStart(5, '0')}-0123456789abcdef`;

const admin = postgres(`${serverUrl}/postgres`, { max: 1, onnotice: () => {} });
if (!reused) await admin.unsafe(`create database ${databaseName}`);
const client = postgres(databaseUrl, { max: 4, onnotice: () => {} });
const db = drizzle(client, { schema });
const database = {
  db,
  driver: 'postgres',
  withLock: (_id: number, work: () => Promise<unknown>) => work(),
} as unknown as Database;

async function main() {
  log(`scale bench: ${JSON.stringify(volume)} into ${databaseName}`);
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
    {
      stdio: 'inherit',
    },
  );
  await migrateDatabase(database);

  const longIds: string[] = [];
  const longOwners: string[] = [];
  let end = Date.now();
  interface WriterFigures {
    completions: number;
    writeSeconds: number;
    completionsPerSecond: number;
    rowsPerSecond: number;
    firstTenthPerSecond: number;
    lastTenthPerSecond: number;
    wallSeconds: number;
  }
  let writer: WriterFigures;
  if (reused) {
    const [latest] = (await client.unsafe('select max(created_at) as at from completions')) as unknown as [
      { at: Date },
    ];
    end = new Date(latest.at).getTime() + 600_000;
    const longs = (await client.unsafe(
      `select c.id, k.name from conversations c join api_keys k on k.id = c.api_key_id
       where c.id in (select conversation_id from completions where created_at > $1
         group by conversation_id having count(*) >= 100) order by c.created_at`,
      [new Date(end - 2 * 3_600_000).toISOString()],
    )) as unknown as { id: string; name: string }[];
    for (const long of longs) {
      longIds.push(long.id);
      longOwners.push(keySecret(Number(long.name.replace('scale key ', ''))));
    }
    const previous = join(root, 'bench/results', fraction === 1 ? 'scale.json' : `scale-${fraction}.json`);
    writer = existsSync(previous)
      ? { ...(JSON.parse(readFileSync(previous, 'utf8')) as { writer: WriterFigures }).writer }
      : {
          completions: 0,
          writeSeconds: 0,
          completionsPerSecond: 0,
          rowsPerSecond: 0,
          firstTenthPerSecond: 0,
          lastTenthPerSecond: 0,
          wallSeconds: 0,
        };
    log(
      `reusing ${databaseName}: ${longIds.length} long conversations; writer figures from the run that loaded it`,
    );
  } else {
    // Keys, as the key store writes them (the admin key comes from ADMIN_API_KEY).
    const keyIds = Array.from({ length: volume.keys }, () => randomUUID());
    for (let i = 0; i < keyIds.length; i += 500) {
      await db.insert(schema.apiKeys).values(
        keyIds.slice(i, i + 500).map((id, j) => ({
          id,
          name: `scale key ${i + j}`,
          prefix: visiblePrefixOf(keySecret(i + j)),
          hash: hashSecret(keySecret(i + j)),
          scopes: ['user'],
        })),
      );
    }

    // Completions in time order, as a gateway writes them: each conversation's turns follow
    // each other; a conversation belongs to one key.
    const start = end - volume.days * 86_400_000;
    const perConversation = Math.max(1, Math.floor(volume.completions / volume.conversations));
    const regular = volume.completions - volume.longConversations * 100;
    const span = end - start - 3_600_000;
    const conversationIds: string[] = [];
    let written = 0;
    let rows = 0;
    let writeMs = 0;
    const rates: number[] = [];
    function recordAt(index: number, conversationIndex: number, turn: number, at: number): CompletionRecord {
      const keyIndex = conversationIndex % volume.keys;
      const conversationId = conversationIds[conversationIndex] ?? randomUUID();
      conversationIds[conversationIndex] = conversationId;
      return scaleRecord({
        index,
        conversationIndex,
        turn,
        at,
        keyIndex,
        apiKeyId: keyIds[keyIndex]!,
        conversationId,
      });
    }
    async function write(batch: CompletionRecord[]) {
      const began = performance.now();
      await writeCompletionBatch(db, batch);
      const ms = performance.now() - began;
      writeMs += ms;
      written += batch.length;
      for (const r of batch)
        rows += 1 + r.attempts.length + r.messages.length + (r.conversation?.isNew ? 1 : 0);
      rates.push((batch.length * 1000) / ms);
    }

    log('loading');
    const loadStarted = performance.now();
    let batch: CompletionRecord[] = [];
    for (let i = 0; i < regular; i++) {
      const conversationIndex = Math.min(
        volume.conversations - volume.longConversations - 1,
        Math.floor(i / perConversation),
      );
      const turn = i - conversationIndex * perConversation;
      batch.push(recordAt(i, conversationIndex, turn, start + (i / regular) * span));
      if (batch.length === batchSize) {
        await write(batch);
        batch = [];
        if (written % 100_000 === 0)
          log(`  ${written} completions, ${Math.round((written * 1000) / writeMs)}/s writing`);
      }
    }
    // The long conversations: 100 completions each over the last hour, owned by key 0's
    // neighbours, so "one key" below has one of them.
    for (let c = 0; c < volume.longConversations; c++) {
      const conversationIndex = volume.conversations - volume.longConversations + c;
      for (let turn = 0; turn < 100; turn++) {
        const i = regular + c * 100 + turn;
        batch.push(recordAt(i, conversationIndex, turn, end - 3_600_000 + (c * 100 + turn) * 3_000));
        if (batch.length === batchSize) {
          await write(batch);
          batch = [];
        }
      }
      longIds.push(conversationIds[conversationIndex]!);
      longOwners.push(keySecret(conversationIndex % volume.keys));
    }
    if (batch.length > 0) await write(batch);
    const loadMs = performance.now() - loadStarted;
    const tenth = Math.max(1, Math.floor(rates.length / 10));
    writer = {
      completions: written,
      writeSeconds: writeMs / 1000,
      completionsPerSecond: (written * 1000) / writeMs,
      /** Completions, attempts, messages and new conversations. */
      rowsPerSecond: (rows * 1000) / writeMs,
      firstTenthPerSecond: median(rates.slice(0, tenth)),
      lastTenthPerSecond: median(rates.slice(-tenth)),
      wallSeconds: loadMs / 1000,
    };
    log(`  written: ${JSON.stringify(writer)}`);
    log('vacuum analyze');
    await client.unsafe('vacuum analyze');
  }
  // What the gateway does in the background after boot: the usage rollup of every finished day.
  log('rolling up usage');
  const rollupStarted = performance.now();
  const rolledDays = await new UsageRollup(db as unknown as Db).rollUp();
  const rollup = { days: rolledDays, seconds: (performance.now() - rollupStarted) / 1000 };
  log(`  ${JSON.stringify(rollup)}`);
  const [{ size }] = (await client.unsafe(
    `select pg_size_pretty(pg_database_size(current_database())) as size`,
  )) as unknown as [{ size: string }];

  // A gateway on this database, and an upstream that notes when each request arrives.
  const freePort = () =>
    new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
  const arrivals: bigint[] = [];
  const fake = createUpstreamServer({ firstTokenDelayMs: 0, chunkCount: 20, interChunkDelayMs: 0 });
  const upstream = createHttpServer((req, res) => {
    arrivals.push(process.hrtime.bigint());
    fake.emit('request', req, res);
  });
  const upstreamPort = await new Promise<number>((resolve) =>
    upstream.listen(0, '127.0.0.1', () => resolve((upstream.address() as { port: number }).port)),
  );
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const work = mkdtempSync(join(tmpdir(), 'switchyard-scale-'));
  const gateway = await startProcess(
    [process.execPath, join(root, 'dist/main.js')],
    {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(gatewayPort),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      ADMIN_API_KEY: adminKey,
      DATABASE_URL: databaseUrl,
      OPENAI_API_KEY: 'sk-bench',
      OPENAI_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
    },
    join(work, 'gateway.log'),
    () => fetch(`${gatewayUrl}/readyz`).then((r) => r.ok),
  );
  // A run that fails while measuring still stops its gateway and upstream (see the end).
  cleanUp = async () => {
    await gateway.stop();
    upstream.close();
  };

  const graphql = async (secret: string, query: string, variables: object) => {
    const response = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const timed = async (run: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 3; i++) await run(i);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const began = performance.now();
      await run(i);
      times.push(performance.now() - began);
    }
    return { p50Ms: median(times), p99Ms: percentile(times, 99) };
  };

  const usageQuery = `query($from: DateTime, $to: DateTime) { usage(from: $from, to: $to, groupBy: [DAY, MODEL]) {
    buckets { day model usage { requests errors promptTokens completionTokens totalTokensCost latencyP50 ttftP50 } } } }`;
  const window = { from: new Date(end - 30 * 86_400_000).toISOString(), to: new Date(end).toISOString() };
  // "One key" is the owner of the first long conversation: a key like any other.
  const longOwner = keySecret((volume.conversations - volume.longConversations) % volume.keys);
  const oneKey = longOwner;
  const conversationsQuery = `query($title: String) { conversations(first: 20, title: $title) {
    edges { cursor node { id title lastActivityAt } } pageInfo { hasNextPage endCursor } } }`;
  const openQuery = `query($id: ID!) { conversation(id: $id) { id title messages { id role content { type text } completion { status totalCost latency attempts { outcome } } } } }`;

  log('measuring');
  const results = {
    /** The fixed cost of a GraphQL request through the gateway, to read the others against. */
    graphqlHealth: await timed(() => graphql(oneKey, '{ health }', {})),
    usageOneKey: await timed(() => graphql(oneKey, usageQuery, window)),
    usageAllKeys: await timed(() => graphql(adminKey, usageQuery, window)),
    conversationsOneKey: await timed((i) =>
      graphql(oneKey, conversationsQuery, { title: topics[i % topics.length] }),
    ),
    conversationsAllKeys: await timed((i) =>
      graphql(adminKey, conversationsQuery, { title: topics[i % topics.length] }),
    ),
    conversationsAllKeysRareTitle: await timed((i) =>
      graphql(adminKey, conversationsQuery, { title: `question ${90_000 + i}` }),
    ),
    openLongConversation: await timed((i) =>
      graphql(longOwners[i % longIds.length]!, openQuery, { id: longIds[i % longIds.length] }).then(
        (data) => {
          const turns = (data as { conversation: { messages: unknown[] } }).conversation.messages.length;
          if (turns < 150) throw new Error(`the long conversation has ${turns} turns`);
        },
      ),
    ),
  };

  // Continuing: the time from sending the request to the upstream receiving its call, for a
  // 200-turn conversation against a new one; the difference is what the history costs.
  const untilUpstream = async (long: number | undefined) => {
    const conversationId = long === undefined ? undefined : longIds[long];
    const owner = long === undefined ? longOwner : longOwners[long]!;
    const before = arrivals.length;
    const sent = process.hrtime.bigint();
    const response = await fetch(`${gatewayUrl}/api/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner}` },
      body: JSON.stringify({
        models: ['openai/bench-0-20-0'],
        messages: [{ role: 'user', content: 'And one more thing?' }],
        ...(conversationId ? { conversationId } : {}),
      }),
    });
    if (!response.ok) throw new Error(`continuing: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
    return Number(arrivals[before]! - sent) / 1e6;
  };
  const fresh: number[] = [];
  const continued: number[] = [];
  for (let i = 0; i < samples + 3; i++) {
    const a = await untilUpstream(undefined);
    const b = await untilUpstream(i % longIds.length);
    if (i >= 3) {
      fresh.push(a);
      continued.push(b);
    }
  }
  const continuing = {
    newConversationP50Ms: median(fresh),
    longConversationP50Ms: median(continued),
    longConversationP99Ms: percentile(continued, 99),
    addedP50Ms: median(continued) - median(fresh),
  };
  await cleanUp();
  cleanUp = undefined;

  // The plans of the statements behind those operations (as the stores build them).
  const plans: Record<string, string> = {};
  /** The statement alone, timed from this client: what the database costs without the gateway. */
  const sqlTimes: Record<string, { p50Ms: number; p99Ms: number }> = {};
  const explain = async (name: string, statement: string) => {
    const times: number[] = [];
    for (let i = 0; i < samples + 3; i++) {
      const began = performance.now();
      await client.unsafe(statement);
      if (i >= 3) times.push(performance.now() - began);
    }
    sqlTimes[name] = { p50Ms: median(times), p99Ms: percentile(times, 99) };
    const rows = (await client.unsafe(`explain (analyze, buffers, costs off) ${statement}`)) as unknown as {
      'QUERY PLAN': string;
    }[];
    plans[name] = rows.map((row) => row['QUERY PLAN']).join('\n');
  };
  const [oneKeyRow] = (await client.unsafe(`select id from api_keys where hash = $1`, [
    hashSecret(oneKey),
  ])) as unknown as [{ id: string }];
  const usageSql = (where: string) => `select count(*), sum(prompt_tokens), sum(total_cost),
      percentile_cont(0.5) within group (order by latency_ms), percentile_cont(0.5) within group (order by ttft_ms),
      date_trunc('day', created_at, 'UTC') as day, model
    from completions where ${where} created_at >= '${window.from}' and created_at < '${window.to}'
    group by date_trunc('day', created_at, 'UTC'), model order by 6, 7`;
  await explain('usage, one key, 30 days, by day and model', usageSql(`api_key_id = '${oneKeyRow.id}' and`));
  await explain(
    'usage, all keys, 30 days, by day and model, from the completions alone (no rollup)',
    usageSql(''),
  );
  const wholeDays = {
    from: new Date(Math.ceil(Date.parse(window.from) / 86_400_000) * 86_400_000).toISOString(),
    to: new Date(Math.floor(Date.parse(window.to) / 86_400_000) * 86_400_000).toISOString(),
  };
  await explain(
    'usage, all keys, 30 days: the finished days from the rollup (usage_daily)',
    `select day, provider, model, kind, requests, total_cost, latency_counts::text, ttft_counts::text from usage_daily u
     where u.day >= '${wholeDays.from}' and u.day < '${wholeDays.to}'
       and not exists (select 1 from usage_dirty_days d where d.day = u.day)`,
  );
  await explain(
    'conversations(first: 20, title), all keys',
    `select id, title, last_activity_at from conversations where title ilike '%question 17%'
     order by last_activity_at desc, id desc limit 21`,
  );
  await explain(
    'conversations(first: 20, title matching few), all keys',
    `select id, title, last_activity_at from conversations where title ilike '%question 90001%'
     order by last_activity_at desc, id desc limit 21`,
  );
  await explain(
    'opening a 200-turn conversation',
    `select id, role, content, created_at from messages where conversation_id = '${longIds[0]}' order by seq`,
  );
  await explain(
    "a 200-turn conversation's completions (Message.completion)",
    `select id, status, total_cost from completions where response_message_id in (
       select id from messages where conversation_id = '${longIds[0]}' and role = 'assistant')`,
  );

  const report = {
    date: new Date().toISOString(),
    fraction,
    volume,
    databaseSize: size,
    batchSize,
    samples,
    machine: {
      cpus: cpus().length,
      node: process.version,
      loadAverage: loadavg()[0]!,
      commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
    },
    writer,
    rollup,
    queries: results,
    continuing,
    sqlTimes,
    plans,
  };
  const base = fraction === 1 ? 'scale' : `scale-${fraction}`;
  log(writeScaleReport(report, join(root, 'bench/results'), base));
}

/** Stops what `main` started, if it has not yet. */
let cleanUp: (() => Promise<void>) | undefined;
try {
  await main();
} finally {
  await cleanUp?.();
  await client.end({ timeout: 5 });
  if (!keep) await admin.unsafe(`drop database if exists ${databaseName} with (force)`);
  await admin.end({ timeout: 5 });
}
