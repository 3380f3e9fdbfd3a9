/**
 * `npm run bench:ab -- <checkout> <checkout> [...]`: did a change make the gateway slower?
 * Loads several builds of the gateway (each a checkout with `dist/` built and its
 * node_modules installed, e.g. `git worktree add /tmp/before <commit>`, then `npm ci` and
 * `npm run build` there) with the same non-streaming load at concurrency 32, on PostgreSQL,
 * interleaved repetition by repetition so that a noisy machine slows every build alike.
 * Prints and writes bench/results/ab.md: each build's gateway CPU per request, throughput and
 * database CPU per request (medians). Separate runs of `npm run bench` on a shared machine
 * differ by more than most changes do; this is the comparison to trust.
 *
 * Environment: REPS (default 8), DURATION_SEC (default 5), CONNECTIONS (default 32),
 * DATABASE_URL (a server to create one database per build in; default the local one).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { median, runAutocannon } from './load.js';
import {
  cpuMs,
  machineBusy,
  pinned,
  pinSelf,
  postgresCpuMs,
  startBenchUpstream,
  startProcess,
} from './processes.js';

const checkouts = process.argv.slice(2).map((path) => resolve(path));
if (checkouts.length < 2) {
  process.stderr.write('usage: npm run bench:ab -- <checkout> <checkout> [...]\n');
  process.exit(2);
}
const reps = Number(process.env.REPS ?? 8);
const durationSec = Number(process.env.DURATION_SEC ?? 5);
const connections = Number(process.env.CONNECTIONS ?? 32);
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'switchyard-ab-'));
const adminKey = 'sy-bench-admin-key-0123456789abcdef';
const log = (line: string) => process.stdout.write(`${line}\n`);

const freePort = () =>
  new Promise<number>((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
const commitOf = (checkout: string) => {
  try {
    return execFileSync('git', ['-C', checkout, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
};

pinSelf(1);
const upstreamPort = await freePort();
const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
await startBenchUpstream(upstreamPort, join(work, 'upstream.log'));

const admin = postgres(server, { max: 1, onnotice: () => {} });
const databases: string[] = [];
const builds: { checkout: string; commit: string; url: string; pid: number }[] = [];
for (const [index, checkout] of checkouts.entries()) {
  const database = `switchyard_ab_${process.pid}_${index}`;
  await admin.unsafe(`create database ${database}`);
  databases.push(database);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const gateway = await startProcess(
    pinned(0, [process.execPath, join(checkout, 'dist/main.js')]),
    {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      ADMIN_API_KEY: adminKey,
      DATABASE_URL: Object.assign(new URL(server), { pathname: `/${database}` }).toString(),
      OPENAI_API_KEY: 'sk-bench',
      OPENAI_BASE_URL: `${upstreamUrl}/v1`,
    },
    join(work, `gateway-${index}.log`),
    () => fetch(`${url}/readyz`).then((r) => r.status < 500),
  );
  builds.push({ checkout, commit: commitOf(checkout), url, pid: gateway.pid });
}

const body = JSON.stringify({
  messages: [{ role: 'user', content: 'Say hello to the benchmark.' }],
  models: ['openai/bench-0-20-0'],
  stream: false,
});
const load = (url: string, seconds: number) =>
  runAutocannon({
    url: `${url}/api/v1/completions`,
    body,
    headers: { authorization: `Bearer ${adminKey}` },
    connections,
    durationSec: seconds,
    isComplete: (text) => text.includes('"responseMessageId"'),
  });

const figures = builds.map(() => ({ cpu: [] as number[], rps: [] as number[], database: [] as number[] }));
const problems: string[] = [];
const busy = machineBusy();
const loadBefore = loadavg()[0]!;
for (const build of builds) await load(build.url, 2); // warm-up: JIT, pools, caches
for (let rep = 0; rep < reps; rep++) {
  for (const [index, build] of builds.entries()) {
    const cpuBefore = cpuMs(build.pid);
    const databaseBefore = postgresCpuMs();
    const result = await load(build.url, durationSec);
    const requests = Math.max(1, result.requests);
    figures[index]!.cpu.push((cpuMs(build.pid) - cpuBefore) / requests);
    figures[index]!.database.push((postgresCpuMs() - databaseBefore) / requests);
    figures[index]!.rps.push(result.rps);
    if (result.non2xx + result.errors + result.incomplete > 0)
      problems.push(
        `${build.commit} rep ${rep + 1}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.incomplete} incomplete`,
      );
  }
  log(`repetition ${rep + 1} of ${reps} done`);
}
const busyShare = busy.stop();

const first = figures[0]!;
const rows = builds.map((build, index) => {
  const own = figures[index]!;
  const relative = (mine: number[], theirs: number[]) =>
    index === 0 ? '' : ` (${((median(mine) / median(theirs) - 1) * 100).toFixed(1)} %)`;
  return `| ${build.commit} | ${build.checkout} | ${median(own.cpu).toFixed(3)}${relative(own.cpu, first.cpu)} | ${median(own.rps).toFixed(0)}${relative(own.rps, first.rps)} | ${median(own.database).toFixed(3)} | ${own.cpu.map((v) => v.toFixed(3)).join(' ')} |`;
});
const report = [
  `# A/B: ${builds.map((b) => b.commit).join(' vs ')} (${new Date().toISOString()})`,
  '',
  `Non-streaming, concurrency ${connections}, ${reps} interleaved repetitions of ${durationSec} s, PostgreSQL;`,
  `gateway pinned to core 0, upstream and load generator to core 1. Load average before ${loadBefore.toFixed(2)},`,
  `machine busy ${(busyShare * 100).toFixed(0)} % during the run. Percentages are against the first build.`,
  '',
  '| commit | checkout | gateway CPU ms/request | req/s | database CPU ms/request | every repetition (CPU ms/request) |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows,
  '',
  problems.length ? `Problems: ${problems.join('; ')}` : 'Every answer was complete.',
  '',
].join('\n');
log(report);
writeFileSync(join(root, 'bench/results/ab.md'), report);

for (const build of builds) process.kill(build.pid, 'SIGTERM');
await new Promise((done) => setTimeout(done, 2000));
for (const database of databases) await admin.unsafe(`drop database if exists ${database} with (force)`);
await admin.end();
process.exit(0);
