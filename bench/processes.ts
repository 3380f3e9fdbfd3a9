import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Prefixes a command with `taskset -c <core>` when the machine has that core. */
export function pinned(core: number, command: string[]): string[] {
  return availableParallelism() > core ? ['taskset', '-c', String(core), ...command] : command;
}

/** Pins this process (the load generator) to a core, where possible. */
export function pinSelf(core: number): void {
  if (availableParallelism() <= core) return;
  spawn('taskset', ['-cp', String(core), String(process.pid)], { stdio: 'ignore' });
}

export interface Spawned {
  child: ChildProcess;
  pid: number;
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
// A bench that fails half-way leaves no upstream, floor or gateway behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

/** Starts a process and waits until `ready` resolves; its output goes to `logPath`. */
export async function startProcess(
  command: string[],
  env: NodeJS.ProcessEnv,
  logPath: string,
  ready: () => Promise<boolean>,
): Promise<Spawned> {
  const log = openSync(logPath, 'a');
  const child = spawn(command[0]!, command.slice(1), { env, stdio: ['ignore', log, log] });
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null)
      throw new Error(`${command.join(' ')} exited with ${child.exitCode}; see ${logPath}`);
    if (await ready().catch(() => false)) {
      return {
        child,
        pid: child.pid!,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${command.join(' ')} did not become ready; see ${logPath}`);
}

const clockTicksPerSecond = 100;

/** CPU time (user + system) a process has used, in ms. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
}

/**
 * CPU time (ms) used so far by this machine's PostgreSQL server processes (`postgres`):
 * what persistence costs the database when it runs here. Backends that exit take their
 * time with them, so measure over spans in which the gateway's connections stay open.
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes(' (postgres) ')) continue;
      const fields = stat.split(') ')[1]!.split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** Samples a process's RSS until stopped; returns the peak. */
export function watchRss(pid: number, everyMs = 50): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // the process is gone
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

/** How busy the whole machine was over a span: share of non-idle CPU time. */
export function machineBusy(): { stop(): number } {
  const read = () => {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const numbers = values.map(Number);
    const idle = (numbers[3] ?? 0) + (numbers[4] ?? 0);
    return { idle, total: numbers.reduce((a, b) => a + b, 0) };
  };
  const start = read();
  return {
    stop: () => {
      const end = read();
      const total = end.total - start.total;
      return total > 0 ? 1 - (end.idle - start.idle) / total : 0;
    },
  };
}

/** The bench's local upstream (bench/upstream-server.ts) on `port`, pinned to core 1 with the load. */
export function startBenchUpstream(port: number, logPath: string): Promise<Spawned> {
  const script = new URL('./upstream-server.ts', import.meta.url).pathname;
  return startProcess(
    pinned(1, [process.execPath, '--import', 'tsx', script, String(port)]),
    process.env,
    logPath,
    () => fetch(`http://127.0.0.1:${port}/`).then(() => true),
  );
}
