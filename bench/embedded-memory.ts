/**
 * `tsx bench/embedded-memory.ts`: resident memory of the embedded database (PGlite) under
 * several `postgresql.conf` settings: at first boot (initdb in the process, or in a child
 * process whose memory is returned), after a restart, and under 32 concurrent writers and
 * readers. Each measurement runs in a fresh process, migrated like the gateway's database.
 * Prints a Markdown table (and the CPU each variant used for the load).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Variant {
  name: string;
  conf: string[];
}

const variants: Variant[] = [
  { name: 'PGlite defaults', conf: [] },
  { name: 'shared_buffers=16MB', conf: ['shared_buffers=16MB'] },
  { name: 'shared_buffers=32MB', conf: ['shared_buffers=32MB'] },
  {
    name: 'shared_buffers=16MB, work_mem=2MB, wal_buffers=1MB, temp_buffers=1MB',
    conf: ['shared_buffers=16MB', 'work_mem=2MB', 'wal_buffers=1MB', 'temp_buffers=1MB'],
  },
  {
    name: 'shared_buffers=8MB, work_mem=1MB, wal_buffers=512kB, temp_buffers=1MB, maintenance_work_mem=8MB',
    conf: [
      'shared_buffers=8MB',
      'work_mem=1MB',
      'wal_buffers=512kB',
      'temp_buffers=1MB',
      'maintenance_work_mem=8MB',
    ],
  },
];

const self = new URL(import.meta.url).pathname;

/** One step in a child process; prints `{ rssMb, cpuMs }` as JSON. */
async function child(step: string, dataDir: string, conf: string[]) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pgliteExtensions } = await import('../src/db/database.js');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const { migrationsFolder } = await import('../src/db/migrate.js');
  const schema = await import('../src/db/schema.js');
  const options = { extensions: pgliteExtensions, ...(conf.length > 0 ? { postgresqlconf: conf } : {}) };
  const started = process.cpuUsage();
  const client = await PGlite.create(dataDir, options);
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder });
  if (step === 'load') {
    const { writeCompletionBatch } = await import('../src/store/write-completion-batch.js');
    const { randomUUID } = await import('node:crypto');
    const [key] = await db
      .insert(schema.apiKeys)
      .values({ name: 'load', prefix: 'sy-load', hash: randomUUID(), scopes: ['user'] })
      .returning({ id: schema.apiKeys.id });
    const until = Date.now() + 8_000;
    // PGlite answers in microtasks: a timer would not fire under load, so sample in the loop.
    let peak = 0;
    // 32 clients, each writing its completions (with a conversation and two messages) one by
    // one, as the gateway's recorder does at concurrency 32.
    await Promise.all(
      Array.from({ length: 32 }, async (_, worker) => {
        for (let i = 0; Date.now() < until; i++) {
          const conversationId = randomUUID();
          const id = randomUUID();
          const at = new Date();
          await writeCompletionBatch(db as never, [
            {
              completion: {
                id,
                apiKeyId: key!.id,
                conversationId,
                status: 'succeeded',
                stream: false,
                latencyMs: 5,
              },
              attempts: [
                {
                  completionId: id,
                  position: 0,
                  provider: 'openai',
                  model: 'm',
                  outcome: 'succeeded',
                  latencyMs: 5,
                },
              ],
              conversation: { id: conversationId, apiKeyId: key!.id, title: 'load', isNew: true, at },
              messages: [
                {
                  id: randomUUID(),
                  conversationId,
                  role: 'user',
                  content: [{ type: 'text', text: 'hello '.repeat(20) }],
                },
                {
                  id: randomUUID(),
                  conversationId,
                  role: 'assistant',
                  content: [{ type: 'text', text: 'token '.repeat(20) }],
                },
              ],
            },
          ]);
          if ((i + worker) % 16 === 0) peak = Math.max(peak, process.memoryUsage().rss);
        }
      }),
    );
    const cpu = process.cpuUsage(started);
    const [{ count }] = (
      await client.query<{ count: number }>('select count(*)::int as count from completions')
    ).rows as [{ count: number }];
    process.stdout.write(
      JSON.stringify({ rssMb: peak / 2 ** 20, cpuMs: (cpu.user + cpu.system) / 1000, completions: count }),
    );
  } else {
    await new Promise((resolve) => setTimeout(resolve, 500));
    process.stdout.write(JSON.stringify({ rssMb: process.memoryUsage().rss / 2 ** 20 }));
  }
  await client.close();
}

function run(step: string, dataDir: string, conf: string[]): Record<string, number> {
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, self, '--child', step, dataDir, JSON.stringify(conf)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4]!, JSON.parse(process.argv[5]!) as string[]);
  process.exit(0);
}

const rows: string[] = [
  '| settings | first boot, idle MB | restart, idle MB | under 32 writers and readers, peak MB | CPU ms per completion under load |',
  '| --- | --- | --- | --- | --- |',
];
for (const variant of variants) {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-pglite-'));
  try {
    const first = run('boot', join(dir, 'data'), variant.conf);
    const restart = run('boot', join(dir, 'data'), variant.conf);
    const load = run('load', join(dir, 'data'), variant.conf);
    const perCompletion = load.cpuMs! / Math.max(1, load.completions!);
    rows.push(
      `| ${variant.name} | ${first.rssMb!.toFixed(0)} | ${restart.rssMb!.toFixed(0)} | ${load.rssMb!.toFixed(0)} | ${perCompletion.toFixed(2)} (${load.completions} written) |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(`${rows.join('\n')}\n`);
