/**
 * `npm run bench [-- --quick] [-- --profile] [-- --out=name]`: the same load straight at a local upstream,
 * through the floor (a minimal `node:http` + undici proxy: bench/floor-proxy.ts) and
 * through Switchyard (compiled, production settings, persistence on), interleaved, medians
 * of several repetitions. Writes bench/results/latest.{md,json}. `--profile` runs the
 * gateway under `node --cpu-prof` and prints its top self-time functions at the end.
 * `npm run bench -- --scale[=N]` runs the data-volume scenario instead (bench/scale.ts).
 */
if (process.argv.some((arg) => arg === '--scale' || arg.startsWith('--scale='))) {
  await import('./scale.js');
  process.exit(0);
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { pgliteExtensions } from '../src/db/database.js';
import {
  type LoadResult,
  median,
  percentile,
  runAutocannon,
  runSequential,
  runStreams,
  streamOnce,
} from './load.js';
import {
  cpuMs,
  machineBusy,
  pinned,
  pinSelf,
  postgresCpuMs,
  rssMb,
  startBenchUpstream,
  startProcess,
  watchRss,
} from './processes.js';
import { summariseProfiles } from './profile-summary.js';
import { type BenchReport, writeReport } from './report.js';

const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
const plan = quick
  ? { durationSec: 2, reps: 2, streamsC1: 40, streamsC32: 320, openStreams: 1000, warmup: 300 }
  : { durationSec: 8, reps: 3, streamsC1: 200, streamsC32: 1600, openStreams: 1000, warmup: 1000 };
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
const adminKey = 'sy-bench-admin-key-0123456789abcdef';
const databaseUrl = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : undefined;
const benchStart = new Date();
/** The database's own CPU is measured when it is a PostgreSQL server on this machine. */
const localPostgres = databaseUrl !== undefined && /@(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(databaseUrl);

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
const log = (line: string) => process.stdout.write(`${line}\n`);

log(`bench: ${quick ? 'quick' : 'full'} run, work dir ${work}`);
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);
pinSelf(1);

const upstreamPort = await freePort();
const floorPort = await freePort();
const gatewayPort = await freePort();
const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
const floorUrl = `http://127.0.0.1:${floorPort}`;
const profileDir = join(work, 'profile');
const ping = (url: string) => fetch(url).then((r) => r.status < 500);

const upstream = await startBenchUpstream(upstreamPort, join(work, 'upstream.log'));
// The floor is pinned like the gateway; the two are never loaded at the same time.
const floor = await startProcess(
  pinned(0, [
    process.execPath,
    '--import',
    'tsx',
    join(root, 'bench/floor-proxy.ts'),
    String(floorPort),
    upstreamUrl,
  ]),
  process.env,
  join(work, 'floor.log'),
  () => fetch(`${floorUrl}/`, { method: 'POST', body: '{}' }).then(() => true),
);
const gateway = await startProcess(
  pinned(0, [
    process.execPath,
    ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
    join(root, 'dist/main.js'),
  ]),
  {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    PORT: String(gatewayPort),
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ADMIN_API_KEY: adminKey,
    DATA_DIR: join(work, 'data'),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: `${upstreamUrl}/v1`,
  },
  join(work, 'gateway.log'),
  () => ping(`${gatewayUrl}/readyz`),
);

const auth = { authorization: `Bearer ${adminKey}` };
const prompt = [{ role: 'user', content: 'Say hello to the benchmark.' }];
const directBody = (model: string, stream: boolean) =>
  JSON.stringify({
    model,
    messages: prompt,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  });
const gatewayBody = (model: string, stream: boolean) =>
  JSON.stringify({ messages: prompt, models: [`openai/${model}`], stream });
const targets = {
  direct: { url: `${upstreamUrl}/v1/chat/completions`, body: directBody, headers: {} },
  floor: { url: `${floorUrl}/v1/chat/completions`, body: directBody, headers: {} },
  gateway: { url: `${gatewayUrl}/api/v1/completions`, body: gatewayBody, headers: auth },
} as const;
type Target = keyof typeof targets;
const order = ['direct', 'floor', 'gateway'] as const;
/** The processes whose CPU and memory are measured: the floor and the gateway. */
const measured = { floor: floor.pid, gateway: gateway.pid } as Record<Target, number | undefined>;

/** A non-streaming answer is complete when it is well-formed JSON with every word and its usage. */
const wordsIn = (text: unknown) => (typeof text === 'string' ? (text.match(/token/g)?.length ?? 0) : 0);
const parseOr = (body: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};
const directJson = (words: number) => (body: string) => {
  const answer = parseOr(body) as
    | { choices?: { message?: { content?: unknown } }[]; usage?: { total_tokens?: number } }
    | undefined;
  return wordsIn(answer?.choices?.[0]?.message?.content) === words && (answer?.usage?.total_tokens ?? 0) > 0;
};
const completeJson = {
  direct: directJson,
  floor: directJson,
  gateway: (words: number) => (body: string) => {
    const answer = parseOr(body) as
      | {
          message?: { content?: { text?: unknown }[] };
          usage?: { totalTokens?: number };
          responseMessageId?: unknown;
        }
      | undefined;
    return (
      wordsIn(answer?.message?.content?.[0]?.text) === words &&
      (answer?.usage?.totalTokens ?? 0) > 0 &&
      typeof answer?.responseMessageId === 'string'
    );
  },
};

let gatewayOk = 0;
const problems: string[] = [];

/** Figures of one target at one load: medians over the repetitions. */
interface TargetFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Floor and gateway only: the process's CPU per request and its peak resident memory. */
  cpuMsPerRequest?: number;
  peakRssMb?: number;
}

async function nonStreaming(connections: number, words = 20) {
  const model = `bench-0-${words}-0`;
  const runs: Record<Target, LoadResult[]> = { direct: [], floor: [], gateway: [] };
  const cpuPerRequest: Record<Target, number[]> = { direct: [], floor: [], gateway: [] };
  const peakRss: Record<Target, number> = { direct: 0, floor: 0, gateway: 0 };
  const databaseCpuPerRequest: number[] = [];
  for (let rep = 0; rep < plan.reps; rep++) {
    for (const target of order) {
      const t = targets[target];
      const pid = measured[target];
      const cpuBefore = pid ? cpuMs(pid) : 0;
      const databaseCpuBefore = postgresCpuMs();
      const rss = pid ? watchRss(pid) : undefined;
      const load = {
        url: t.url,
        body: t.body(model, false),
        headers: t.headers,
        durationSec: plan.durationSec,
        isComplete: completeJson[target](words),
      };
      // One connection: timed to the microsecond by our own client; more: autocannon.
      const result =
        connections === 1 ? await runSequential(load) : await runAutocannon({ ...load, connections });
      if (rss) peakRss[target] = Math.max(peakRss[target], rss.stop());
      if (result.non2xx + result.errors + result.incomplete > 0)
        problems.push(
          `${target} c${connections}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.incomplete} incomplete`,
        );
      if (pid) cpuPerRequest[target].push((cpuMs(pid) - cpuBefore) / Math.max(1, result.requests));
      if (target === 'gateway') {
        gatewayOk += result.requests - result.non2xx - result.incomplete;
        databaseCpuPerRequest.push((postgresCpuMs() - databaseCpuBefore) / Math.max(1, result.requests));
      }
      runs[target].push(result);
    }
  }
  const figures = (target: Target): TargetFigures => ({
    rps: median(runs[target].map((r) => r.rps)),
    p50Ms: median(runs[target].map((r) => r.p50Ms)),
    p99Ms: median(runs[target].map((r) => r.p99Ms)),
    ...(measured[target]
      ? { cpuMsPerRequest: median(cpuPerRequest[target]), peakRssMb: peakRss[target] }
      : {}),
  });
  const direct = figures('direct');
  const floorFigures = figures('floor');
  const gatewayFigures = figures('gateway');
  return {
    connections,
    direct,
    floor: floorFigures,
    gateway: gatewayFigures,
    floorOverheadP50Ms: floorFigures.p50Ms - direct.p50Ms,
    floorOverheadP99Ms: floorFigures.p99Ms - direct.p99Ms,
    overheadP50Ms: gatewayFigures.p50Ms - direct.p50Ms,
    overheadP99Ms: gatewayFigures.p99Ms - direct.p99Ms,
    databaseCpuMsPerRequest: localPostgres ? median(databaseCpuPerRequest) : undefined,
  };
}

const directStreamComplete = (body: string) => body.includes('data: [DONE]');
const completeBody = {
  direct: directStreamComplete,
  floor: directStreamComplete,
  gateway: (body: string) => body.includes('"type":"done"'),
};
const firstContent = { direct: '"content":"token', floor: '"content":"token', gateway: '"type":"text"' };

async function streaming(concurrency: number, total: number, model: string, chunkCount: number) {
  const ttft: Record<Target, number[]> = { direct: [], floor: [], gateway: [] };
  const totalMs: Record<Target, number[]> = { direct: [], floor: [], gateway: [] };
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  for (let rep = 0; rep < plan.reps; rep++) {
    for (const target of order) {
      const t = targets[target];
      const url = new URL(t.url);
      const results = await runStreams(total, concurrency, () =>
        streamOnce(agent, url, t.body(model, true), t.headers, completeBody[target], firstContent[target]),
      );
      const bad = results.filter(
        (r) => !r.complete || (r.text.match(/token/g)?.length ?? 0) < chunkCount,
      ).length;
      if (bad > 0)
        problems.push(`${target} streaming c${concurrency}: ${bad} of ${results.length} incomplete`);
      if (target === 'gateway') gatewayOk += results.length - bad;
      ttft[target].push(median(results.map((r) => r.ttftMs)));
      totalMs[target].push(median(results.map((r) => r.totalMs)));
    }
  }
  agent.destroy();
  const side = (target: Target) => ({ ttftP50Ms: median(ttft[target]), totalP50Ms: median(totalMs[target]) });
  return {
    concurrency,
    direct: side('direct'),
    floor: side('floor'),
    gateway: side('gateway'),
    floorTtftOverheadP50Ms: median(ttft.floor) - median(ttft.direct),
    ttftOverheadP50Ms: median(ttft.gateway) - median(ttft.direct),
    totalOverheadP50Ms: median(totalMs.gateway) - median(totalMs.direct),
  };
}

async function openStreams(count: number) {
  const agent = new Agent({ keepAlive: false, maxSockets: count + 10 });
  const rss = watchRss(gateway.pid, 20);
  const started = performance.now();
  const url = new URL(targets.gateway.url);
  // 20 chunks 100 ms apart: every stream stays open about two seconds, all at once.
  const results = await runStreams(count, count, () =>
    streamOnce(
      agent,
      url,
      gatewayBody('bench-0-20-100', true),
      auth,
      completeBody.gateway,
      firstContent.gateway,
    ),
  );
  const peak = rss.stop();
  agent.destroy();
  const completed = results.filter((r) => r.complete).length;
  gatewayOk += completed;
  if (completed < count) problems.push(`open streams: ${count - completed} of ${count} did not complete`);
  return {
    streams: count,
    completed,
    wallMs: performance.now() - started,
    ttftP50Ms: median(results.map((r) => r.ttftMs)),
    ttftP99Ms: percentile(
      results.map((r) => r.ttftMs),
      99,
    ),
    gatewayPeakRssMb: peak,
  };
}

const busy = machineBusy();
const loadBefore = loadavg()[0]!;
log('warming up');
for (const target of order) {
  const t = targets[target];
  const warm = await runAutocannon({
    url: t.url,
    body: t.body('bench-0-20-0', false),
    headers: t.headers,
    connections: 8,
    durationSec: 1,
    isComplete: completeJson[target](20),
  });
  if (warm.non2xx + warm.errors + warm.incomplete > 0)
    problems.push(
      `${target} warm-up: ${warm.non2xx} non-2xx, ${warm.errors} errors, ${warm.incomplete} incomplete`,
    );
  if (target === 'gateway') gatewayOk += warm.requests - warm.non2xx - warm.incomplete;
}
await new Promise((resolve) => setTimeout(resolve, 500));
const idleRssMb = rssMb(gateway.pid);
const floorIdleRssMb = rssMb(floor.pid);

log('non-streaming');
const nonStreamingResults = [];
for (const connections of [1, 32, 256]) {
  nonStreamingResults.push(await nonStreaming(connections));
  log(`  c${connections} done`);
}
log('streaming');
const streamingResults = [
  await streaming(1, plan.streamsC1, 'bench-0-20-0', 20),
  await streaming(32, plan.streamsC32, 'bench-0-20-0', 20),
];
log('open streams');
const open = await openStreams(plan.openStreams);
const machineBusyShare = busy.stop();
const loadAfter = loadavg()[0]!;

log('stopping the gateway (it flushes pending records)');
const exitCode = await gateway.stop();
await floor.stop();
await upstream.stop();
if (exitCode !== 0) problems.push(`gateway exited with ${exitCode}`);

async function countStored(): Promise<{ succeeded: number; withUsage: number }> {
  const query = `select count(*) filter (where status = 'succeeded') as succeeded,
    count(*) filter (where status = 'succeeded' and completion_tokens > 0 and prompt_tokens > 0) as with_usage
    from completions where created_at >= '${benchStart.toISOString()}'`;
  if (databaseUrl) {
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const [row] = await sql.unsafe(query);
    await sql.end();
    return { succeeded: Number(row?.succeeded), withUsage: Number(row?.with_usage) };
  }
  const db = await PGlite.create(join(work, 'data'), { extensions: pgliteExtensions });
  const { rows } = await db.query<{ succeeded: number; with_usage: number }>(query);
  await db.close();
  return { succeeded: Number(rows[0]?.succeeded), withUsage: Number(rows[0]?.with_usage) };
}
const stored = await countStored();
const missing = Math.max(0, gatewayOk - stored.succeeded);
if (missing > 0) problems.push(`${missing} answered completions are not stored`);
if (stored.withUsage !== stored.succeeded)
  problems.push(`${stored.succeeded - stored.withUsage} stored completions lack usage`);

const report: BenchReport = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    database: databaseUrl ? 'PostgreSQL' : 'embedded PGlite',
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadAfter,
    machineBusyShare,
    pinning:
      cpus().length > 1 ? 'gateway on core 0; upstream and load generator on core 1' : 'none (one core)',
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
  },
  plan,
  idleRssMb,
  floorIdleRssMb,
  nonStreaming: nonStreamingResults,
  streaming: streamingResults,
  openStreams: open,
  stored: { answered: gatewayOk, ...stored, missing },
  problems,
};
const outName = process.argv.find((arg) => arg.startsWith('--out='))?.slice('--out='.length) ?? 'latest';
log(writeReport(report, join(root, 'bench/results'), outName));
if (profile) log(summariseProfiles(profileDir, 40));
process.exit(problems.length > 0 ? 1 : 0);
