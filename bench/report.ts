import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Side {
  rps?: number;
  p50Ms?: number;
  p99Ms?: number;
  ttftP50Ms?: number;
  totalP50Ms?: number;
}

export interface BenchReport {
  date: string;
  mode: 'quick' | 'full';
  machine: Record<string, string | number>;
  plan: Record<string, number>;
  idleRssMb: number;
  nonStreaming: {
    connections: number;
    direct: Side;
    gateway: Side;
    overheadP50Ms: number;
    overheadP99Ms: number;
    gatewayCpuMsPerRequest: number;
    /** Local PostgreSQL server processes; undefined with the embedded database (it is in the gateway's CPU). */
    databaseCpuMsPerRequest: number | undefined;
    gatewayPeakRssMb: number;
  }[];
  streaming: {
    concurrency: number;
    direct: Side;
    gateway: Side;
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

/** Writes latest.json and latest.md; returns the Markdown. */
export function writeReport(report: BenchReport, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const c32 = report.nonStreaming.find((r) => r.connections === 32);
  const c1 = report.nonStreaming.find((r) => r.connections === 1);
  const c256 = report.nonStreaming.find((r) => r.connections === 256);
  const s1 = report.streaming.find((r) => r.concurrency === 1);
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
    '| figure | target | measured |',
    '| --- | --- | --- |',
    `| non-streaming throughput at concurrency 32, persistence on | ≥ 3,000 req/s | ${f(c32?.gateway.rps, 0)} req/s |`,
    `| overhead p50 at concurrency 1 | ≤ 0.3 ms | ${f(c1?.overheadP50Ms)} ms |`,
    `| gateway CPU per non-streaming request | ≤ 0.3 ms | ${f(c32?.gatewayCpuMsPerRequest, 3)} ms |`,
    `| time-to-first-token overhead p50, streaming | ≤ 1 ms | ${f(s1?.ttftOverheadP50Ms)} ms |`,
    `| resident memory under load (concurrency 256) | ≤ 150 MB | ${f(c256?.gatewayPeakRssMb, 0)} MB |`,
    `| completions lost | 0 | ${report.stored.missing} |`,
    '',
    '## Non-streaming (medians of the repetitions)',
    '',
    '| concurrency | direct req/s | gateway req/s | direct p50 / p99 ms | gateway p50 / p99 ms | overhead p50 / p99 ms | gateway CPU ms/req | database CPU ms/req | gateway peak RSS MB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.nonStreaming.map(
      (r) =>
        `| ${r.connections} | ${f(r.direct.rps, 0)} | ${f(r.gateway.rps, 0)} | ${f(r.direct.p50Ms)} / ${f(r.direct.p99Ms)} | ${f(r.gateway.p50Ms)} / ${f(r.gateway.p99Ms)} | ${f(r.overheadP50Ms)} / ${f(r.overheadP99Ms)} | ${f(r.gatewayCpuMsPerRequest, 3)} | ${r.databaseCpuMsPerRequest === undefined ? 'in the gateway' : f(r.databaseCpuMsPerRequest, 3)} | ${f(r.gatewayPeakRssMb, 0)} |`,
    ),
    '',
    '## Streaming, 20 chunks (medians)',
    '',
    '| concurrency | direct ttft / total ms | gateway ttft / total ms | overhead ttft / total ms |',
    '| --- | --- | --- | --- |',
    ...report.streaming.map(
      (r) =>
        `| ${r.concurrency} | ${f(r.direct.ttftP50Ms)} / ${f(r.direct.totalP50Ms)} | ${f(r.gateway.ttftP50Ms)} / ${f(r.gateway.totalP50Ms)} | ${f(r.ttftOverheadP50Ms)} / ${f(r.totalOverheadP50Ms)} |`,
    ),
    '',
    `## ${report.openStreams.streams} concurrent open streams (20 chunks, 100 ms apart)`,
    '',
    `Completed ${report.openStreams.completed} of ${report.openStreams.streams} in ${f(report.openStreams.wallMs, 0)} ms; ttft p50 ${f(report.openStreams.ttftP50Ms)} ms, p99 ${f(report.openStreams.ttftP99Ms)} ms; gateway peak RSS ${f(report.openStreams.gatewayPeakRssMb, 0)} MB (idle ${f(report.idleRssMb, 0)} MB).`,
    '',
    '## Persistence',
    '',
    `Answered through the gateway: ${report.stored.answered}; stored as succeeded: ${report.stored.succeeded}; with usage: ${report.stored.withUsage}; missing: ${report.stored.missing}.`,
    '',
    '## Problems',
    '',
    ...(report.problems.length > 0 ? report.problems.map((p) => `- ${p}`) : ['none']),
    '',
  ];
  const markdown = lines.join('\n');
  writeFileSync(join(dir, 'latest.md'), markdown);
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  return markdown;
}
