import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScaleReport } from './scale-report.js';

interface Side {
  rps?: number;
  p50Ms?: number;
  p99Ms?: number;
  ttftP50Ms?: number;
  totalP50Ms?: number;
  /** The floor and the gateway: their process's CPU per request and peak resident memory. */
  cpuMsPerRequest?: number;
  peakRssMb?: number;
}

export interface BenchReport {
  date: string;
  mode: 'quick' | 'full';
  machine: Record<string, string | number>;
  plan: Record<string, number>;
  idleRssMb: number;
  floorIdleRssMb: number;
  nonStreaming: {
    connections: number;
    direct: Side;
    /** bench/floor-proxy.ts: a minimal node:http + undici pass-through. */
    floor: Side;
    gateway: Side;
    floorOverheadP50Ms: number;
    floorOverheadP99Ms: number;
    overheadP50Ms: number;
    overheadP99Ms: number;
    /** Local PostgreSQL server processes; undefined with the embedded database (it is in the gateway's CPU). */
    databaseCpuMsPerRequest: number | undefined;
  }[];
  streaming: {
    concurrency: number;
    direct: Side;
    floor: Side;
    gateway: Side;
    floorTtftOverheadP50Ms: number;
    ttftOverheadP50Ms: number;
    totalOverheadP50Ms: number;
  }[];
  openStreams: {
    streams: number;
    completed: number;
    wallMs: number;
    ttftP50Ms: number;
    ttftP99Ms: number;
    gatewayPeakRssMb: number;
  };
  stored: { answered: number; succeeded: number; withUsage: number; missing: number };
  problems: string[];
}

const f = (value: number | undefined, digits = 2) =>
  value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);

/** Writes `<name>.json` and `<name>.md` (latest unless told); returns the Markdown. */
export function writeReport(report: BenchReport, dir: string, name = 'latest'): string {
  mkdirSync(dir, { recursive: true });
  const c32 = report.nonStreaming.find((r) => r.connections === 32);
  const c1 = report.nonStreaming.find((r) => r.connections === 1);
  const c256 = report.nonStreaming.find((r) => r.connections === 256);
  const s1 = report.streaming.find((r) => r.concurrency === 1);
  const ratio = (ours: number | undefined, floor: number | undefined) =>
    ours === undefined || floor === undefined || floor <= 0 ? '–' : `${(ours / floor).toFixed(2)}×`;
  const met = (ok: boolean) => (ok ? 'met' : 'missed');
  const overheadRatio = (c1?.overheadP50Ms ?? Number.NaN) / (c1?.floorOverheadP50Ms ?? Number.NaN);
  const cpuRatio = (c32?.gateway.cpuMsPerRequest ?? Number.NaN) / (c32?.floor.cpuMsPerRequest ?? Number.NaN);
  const rpsRatio = (c32?.gateway.rps ?? Number.NaN) / (c32?.floor.rps ?? Number.NaN);
  const ttftRatio = (s1?.ttftOverheadP50Ms ?? Number.NaN) / (s1?.floorTtftOverheadP50Ms ?? Number.NaN);
  const lines = [
    `# Switchyard benchmark (${report.mode}, ${report.date})`,
    '',
    '## Machine',
    '',
    '| | |',
    '| --- | --- |',
    ...Object.entries(report.machine).map(
      ([key, value]) => `| ${key} | ${typeof value === 'number' ? f(value) : value} |`,
    ),
    '',
    '## Targets',
    '',
    'The floor is bench/floor-proxy.ts: a minimal `node:http` + undici pass-through (no auth, routing,',
    'persistence or metrics), pinned to the same core, loaded in the same run, interleaved.',
    '',
    '| figure | target | gateway | floor | gateway / floor | |',
    '| --- | --- | --- | --- | --- | --- |',
    `| overhead p50 at concurrency 1 | ≤ 1.5 × the floor's | ${f(c1?.overheadP50Ms)} ms | ${f(c1?.floorOverheadP50Ms)} ms | ${ratio(c1?.overheadP50Ms, c1?.floorOverheadP50Ms)} | ${met(overheadRatio <= 1.5)} |`,
    `| CPU per non-streaming request (concurrency 32) | ≤ 1.5 × the floor's | ${f(c32?.gateway.cpuMsPerRequest, 3)} ms | ${f(c32?.floor.cpuMsPerRequest, 3)} ms | ${ratio(c32?.gateway.cpuMsPerRequest, c32?.floor.cpuMsPerRequest)} | ${met(cpuRatio <= 1.5)} |`,
    `| throughput at concurrency 32, persistence on | ≥ 3,000 req/s and ≥ 0.65 × the floor's | ${f(c32?.gateway.rps, 0)} req/s | ${f(c32?.floor.rps, 0)} req/s | ${ratio(c32?.gateway.rps, c32?.floor.rps)} | ${met((c32?.gateway.rps ?? 0) >= 3000 && rpsRatio >= 0.65)} |`,
    `| time-to-first-token overhead p50, streaming (concurrency 1) | ≤ 1 ms and ≤ 1.5 × the floor's | ${f(s1?.ttftOverheadP50Ms)} ms | ${f(s1?.floorTtftOverheadP50Ms)} ms | ${ratio(s1?.ttftOverheadP50Ms, s1?.floorTtftOverheadP50Ms)} | ${met((s1?.ttftOverheadP50Ms ?? 99) <= 1 && ttftRatio <= 1.5)} |`,
    `| resident memory at concurrency 256 (${report.machine.database}) | ≤ 200 MB, no heap flag | ${f(c256?.gateway.peakRssMb, 0)} MB | ${f(c256?.floor.peakRssMb, 0)} MB | ${ratio(c256?.gateway.peakRssMb, c256?.floor.peakRssMb)} | ${met((c256?.gateway.peakRssMb ?? 999) <= 200)} |`,
    `| completions lost | 0 | ${report.stored.missing} | – | – | ${met(report.stored.missing === 0)} |`,
    '',
    '## Non-streaming (medians of the repetitions)',
    '',
    'Overheads are over the direct upstream; ratios are the gateway over the floor.',
    '',
    '| concurrency | direct req/s | floor req/s | gateway req/s (× floor) | direct p50 / p99 ms | floor overhead p50 / p99 ms | gateway overhead p50 / p99 ms (× floor p50) | floor CPU ms/req | gateway CPU ms/req (× floor) | database CPU ms/req | floor / gateway peak RSS MB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.nonStreaming.map(
      (r) =>
        `| ${r.connections} | ${f(r.direct.rps, 0)} | ${f(r.floor.rps, 0)} | ${f(r.gateway.rps, 0)} (${ratio(r.gateway.rps, r.floor.rps)}) | ${f(r.direct.p50Ms)} / ${f(r.direct.p99Ms)} | ${f(r.floorOverheadP50Ms)} / ${f(r.floorOverheadP99Ms)} | ${f(r.overheadP50Ms)} / ${f(r.overheadP99Ms)} (${ratio(r.overheadP50Ms, r.floorOverheadP50Ms)}) | ${f(r.floor.cpuMsPerRequest, 3)} | ${f(r.gateway.cpuMsPerRequest, 3)} (${ratio(r.gateway.cpuMsPerRequest, r.floor.cpuMsPerRequest)}) | ${r.databaseCpuMsPerRequest === undefined ? 'in the gateway' : f(r.databaseCpuMsPerRequest, 3)} | ${f(r.floor.peakRssMb, 0)} / ${f(r.gateway.peakRssMb, 0)} |`,
    ),
    '',
    '## Streaming, 20 chunks (medians)',
    '',
    '| concurrency | direct ttft / total ms | floor ttft / total ms | gateway ttft / total ms | floor ttft overhead ms | gateway ttft overhead ms (× floor) | gateway total overhead ms |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...report.streaming.map(
      (r) =>
        `| ${r.concurrency} | ${f(r.direct.ttftP50Ms)} / ${f(r.direct.totalP50Ms)} | ${f(r.floor.ttftP50Ms)} / ${f(r.floor.totalP50Ms)} | ${f(r.gateway.ttftP50Ms)} / ${f(r.gateway.totalP50Ms)} | ${f(r.floorTtftOverheadP50Ms)} | ${f(r.ttftOverheadP50Ms)} (${ratio(r.ttftOverheadP50Ms, r.floorTtftOverheadP50Ms)}) | ${f(r.totalOverheadP50Ms)} |`,
    ),
    '',
    `## ${report.openStreams.streams} concurrent open streams (20 chunks, 100 ms apart)`,
    '',
    `Completed ${report.openStreams.completed} of ${report.openStreams.streams} in ${f(report.openStreams.wallMs, 0)} ms; ttft p50 ${f(report.openStreams.ttftP50Ms)} ms, p99 ${f(report.openStreams.ttftP99Ms)} ms; gateway peak RSS ${f(report.openStreams.gatewayPeakRssMb, 0)} MB (idle ${f(report.idleRssMb, 0)} MB; the floor idles at ${f(report.floorIdleRssMb, 0)} MB).`,
    '',
    '## Persistence',
    '',
    `Answered through the gateway: ${report.stored.answered}; stored as succeeded: ${report.stored.succeeded}; with usage: ${report.stored.withUsage}; missing: ${report.stored.missing}.`,
    '',
    '## Problems',
    '',
    ...(report.problems.length > 0 ? report.problems.map((p) => `- ${p}`) : ['none']),
    '',
    ...(name === 'latest' ? otherTargets(dir) : []),
    'What the profiles show, what was changed and what remains: [analysis.md](analysis.md).',
    '',
  ];
  const markdown = lines.join('\n');
  writeFileSync(join(dir, `${name}.md`), markdown);
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  return markdown;
}

const readJson = <T>(path: string): T | undefined =>
  existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;

/**
 * The targets measured by the other runs (the embedded default, `--scale`), from their own
 * latest results beside this one, each with its date and commit: every target in one place.
 */
function otherTargets(dir: string): string[] {
  const embedded = readJson<BenchReport>(join(dir, 'embedded-quick.json'));
  const scale = readJson<ScaleReport>(join(dir, 'scale.json'));
  if (!embedded && !scale) return [];
  const met = (ok: boolean) => (ok ? 'met' : 'missed');
  const rows: string[] = [];
  if (embedded) {
    const c32 = embedded.nonStreaming.find((r) => r.connections === 32);
    const from = `[embedded-quick.md](embedded-quick.md), ${embedded.date.slice(0, 16)}, ${embedded.machine.commit}`;
    rows.push(
      `| embedded database, first boot, idle | ≤ 250 MB | ${f(embedded.idleRssMb, 0)} MB | ${met(embedded.idleRssMb <= 250)} | ${from} |`,
      `| embedded database, under concurrency 32 | ≤ 350 MB | ${f(c32?.gateway.peakRssMb, 0)} MB | ${met((c32?.gateway.peakRssMb ?? Number.POSITIVE_INFINITY) <= 350)} | ${from} |`,
    );
  }
  if (scale) {
    const q = scale.queries;
    const from = `[scale.md](scale.md), ${scale.date.slice(0, 16)}, ${scale.machine.commit}`;
    const row = (what: string, target: string, p50: number, ok: boolean) =>
      `| ${what} | ${target} | ${f(p50, 1)} ms p50 | ${met(ok)} | ${from} |`;
    rows.push(
      row('usage, one key, 30 days, 1 M rows', '≤ 50 ms', q.usageOneKey.p50Ms, q.usageOneKey.p50Ms <= 50),
      row(
        'usage, all keys (admin), 30 days, 1 M rows',
        '≤ 300 ms',
        q.usageAllKeys.p50Ms,
        q.usageAllKeys.p50Ms <= 300,
      ),
      row(
        'conversations(first: 20, title), admin',
        '≤ 20 ms',
        q.conversationsAllKeys.p50Ms,
        q.conversationsAllKeys.p50Ms <= 20,
      ),
      row(
        'opening a 200-turn conversation',
        '≤ 20 ms',
        q.openLongConversation.p50Ms,
        q.openLongConversation.p50Ms <= 20,
      ),
      row(
        'continuing a 200-turn conversation, added',
        '≤ 5 ms',
        scale.continuing.addedP50Ms,
        scale.continuing.addedP50Ms <= 5,
      ),
      `| the writer, sustained | ≥ 5,000 completions/s | ${f(scale.writer.completionsPerSecond, 0)}/s | ${met(scale.writer.completionsPerSecond >= 5000)} | ${from} |`,
    );
  }
  return [
    '## The other targets (their own runs)',
    '',
    '| figure | target | measured | | run |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'A restart of the embedded database is measured by `tsx bench/embedded-memory.ts` (see analysis.md).',
    '',
  ];
}
