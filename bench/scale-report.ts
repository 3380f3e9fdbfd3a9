import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Timing {
  p50Ms: number;
  p99Ms: number;
}

/** What `npm run bench -- --scale` measured (bench/scale.ts). */
export interface ScaleReport {
  date: string;
  fraction: number;
  volume: { keys: number; conversations: number; days: number };
  databaseSize: string;
  batchSize: number;
  samples: number;
  machine: { cpus: number; node: string; loadAverage: number; commit: string };
  writer: {
    completions: number;
    writeSeconds: number;
    completionsPerSecond: number;
    rowsPerSecond: number;
    firstTenthPerSecond: number;
    lastTenthPerSecond: number;
    wallSeconds: number;
  };
  /** The usage rollup of every finished day, before the gateway started. */
  rollup: { days: number; seconds: number };
  queries: Record<
    | 'graphqlHealth'
    | 'usageOneKey'
    | 'usageAllKeys'
    | 'conversationsOneKey'
    | 'conversationsAllKeys'
    | 'conversationsAllKeysRareTitle'
    | 'openLongConversation',
    Timing
  >;
  continuing: {
    newConversationP50Ms: number;
    longConversationP50Ms: number;
    longConversationP99Ms: number;
    addedP50Ms: number;
  };
  sqlTimes: Record<string, Timing>;
  plans: Record<string, string>;
}

/** Writes `<base>.md` and `<base>.json` into `dir`; returns the Markdown. */
export function writeScaleReport(report: ScaleReport, dir: string, base: string): string {
  const { writer, volume, continuing, sqlTimes, plans } = report;
  const results = report.queries;
  const f = (n: number, d = 1) => n.toFixed(d);
  const row = (name: string, r: { p50Ms: number; p99Ms: number }, target: string, ok: boolean) =>
    `| ${name} | ${f(r.p50Ms)} | ${f(r.p99Ms)} | ${target} | ${ok ? 'met' : 'missed'} |`;
  const markdown = [
    `# Switchyard at scale (${report.fraction === 1 ? 'full' : `×${report.fraction}`}, ${report.date})`,
    '',
    `${writer.completions.toLocaleString('en')} completions over ${volume.keys.toLocaleString('en')} keys and ${volume.conversations.toLocaleString('en')} conversations, ${volume.days} days, written through \`writeCompletionBatch\` in batches of ${report.batchSize}; database ${report.databaseSize} after \`vacuum analyze\`. ${report.machine.cpus} cores, load average ${f(report.machine.loadAverage, 2)}, commit ${report.machine.commit}. Every figure is measured through a compiled gateway on PostgreSQL (GraphQL over HTTP, ${report.samples} samples after 3 warm-ups).`,
    '',
    '| operation | p50 ms | p99 ms | target | |',
    '| --- | --- | --- | --- | --- |',
    `| a GraphQL request that reads nothing (\`{ health }\`), for reference | ${f(results.graphqlHealth.p50Ms)} | ${f(results.graphqlHealth.p99Ms)} | – | |`,
    row(
      'usage, one key, 30 days, by day and model',
      results.usageOneKey,
      '≤ 50 ms p50',
      results.usageOneKey.p50Ms <= 50,
    ),
    row(
      'usage, admin over all keys, 30 days, by day and model',
      results.usageAllKeys,
      '≤ 300 ms p50',
      results.usageAllKeys.p50Ms <= 300,
    ),
    row(
      'conversations(first: 20, title), one key',
      results.conversationsOneKey,
      '≤ 20 ms p50',
      results.conversationsOneKey.p50Ms <= 20,
    ),
    row(
      'conversations(first: 20, title), admin',
      results.conversationsAllKeys,
      '≤ 20 ms p50',
      results.conversationsAllKeys.p50Ms <= 20,
    ),
    row(
      'conversations(first: 20, title matching few), admin',
      results.conversationsAllKeysRareTitle,
      '≤ 20 ms p50',
      results.conversationsAllKeysRareTitle.p50Ms <= 20,
    ),
    row(
      'opening a 200-turn conversation',
      results.openLongConversation,
      '≤ 20 ms p50',
      results.openLongConversation.p50Ms <= 20,
    ),
    `| continuing a 200-turn conversation: added before the upstream is called | ${f(continuing.addedP50Ms, 2)} | – | ≤ 5 ms | ${continuing.addedP50Ms <= 5 ? 'met' : 'missed'} |`,
    `| the writer, sustained | ${f(writer.completionsPerSecond, 0)} completions/s (${f(writer.rowsPerSecond, 0)} rows/s) | first tenth ${f(writer.firstTenthPerSecond, 0)}/s, last tenth ${f(writer.lastTenthPerSecond, 0)}/s | ≥ 5,000 completions/s | ${writer.completionsPerSecond >= 5000 ? 'met' : 'missed'} |`,
    '',
    `Continuing: request sent → upstream called, p50 ${f(continuing.newConversationP50Ms, 2)} ms for a new conversation, ${f(continuing.longConversationP50Ms, 2)} ms (p99 ${f(continuing.longConversationP99Ms, 2)}) for a 200-turn one. The load took ${f(writer.wallSeconds, 0)} s of wall time (${f(writer.writeSeconds, 0)} s in the writer).`,
    '',
    `Usage over all keys reads the daily rollup (\`usage_daily\`) for finished days and the completions for the rest; rolling up the ${report.rollup.days} finished days after the load took ${f(report.rollup.seconds, 1)} s (the gateway does it in the background, one day per transaction).`,
    '',
    'The indexes these figures rely on, and what remains: [analysis.md](analysis.md).',
    '',
    '## The statements alone (from a client on this machine, no gateway)',
    '',
    '| statement | p50 ms | p99 ms |',
    '| --- | --- | --- |',
    ...Object.entries(sqlTimes).map(([name, t]) => `| ${name} | ${f(t.p50Ms, 2)} | ${f(t.p99Ms, 2)} |`),
    '',
    '## Plans (EXPLAIN ANALYZE, after the measurements)',
    '',
    ...Object.entries(plans).flatMap(([name, plan]) => [`### ${name}`, '', '```', plan, '```', '']),
  ].join('\n');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${base}.md`), markdown);
  writeFileSync(join(dir, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
  return markdown;
}
