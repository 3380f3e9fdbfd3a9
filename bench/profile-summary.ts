import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: our source, a package, Node itself, or V8's own work. */
function placeOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node';
  const ours = /\/(dist|src)\/(.+)$/.exec(url);
  return ours ? `switchyard ${ours[2]!.split('/')[0]}` : url;
}

/**
 * Self time per function and per place, summed over every `.cpuprofile` in `dir`
 * (what `node --cpu-prof` writes): the table that says where a process spends its CPU.
 */
export function summariseProfiles(dir: string, top = 30): string {
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id);
      if (!node) return;
      const micros = profile.timeDeltas[i] ?? 0;
      const { functionName, url, lineNumber } = node.callFrame;
      const name = functionName || '(anonymous)';
      const where = url ? `${url.replace(/^.*\/(node_modules|dist|src)\//, '$1/')}:${lineNumber + 1}` : '';
      const fn = `${name} ${where}`.trim();
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
      const place = placeOf(url, name);
      byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
      total += micros;
    });
  }
  const rows = (map: Map<string, number>, count: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(
        ([key, micros]) =>
          `| ${((micros / total) * 100).toFixed(1)}% | ${(micros / 1000).toFixed(0)} | ${key} |`,
      );
  return [
    `## CPU profile: self time (${(total / 1000).toFixed(0)} ms sampled)`,
    '',
    '| share | ms | where |',
    '| --- | --- | --- |',
    ...rows(byPlace, 20),
    '',
    '| share | ms | function |',
    '| --- | --- | --- |',
    ...rows(byFunction, top),
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(summariseProfiles(process.argv[2] ?? '.', Number(process.argv[3] ?? 40)));
}
