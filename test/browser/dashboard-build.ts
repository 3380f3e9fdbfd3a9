import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dashboardDir = fileURLToPath(new URL('../../dashboard', import.meta.url));
const builtIndex = join(dashboardDir, 'dist/index.html');
// Test files run in parallel: one builds while the others wait for it.
const lockDir = join(dashboardDir, '.build-lock');

const newestSource = (dir: string): number =>
  Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    }),
  );

const isFresh = () =>
  existsSync(builtIndex) &&
  statSync(builtIndex).mtimeMs >=
    Math.max(newestSource(join(dashboardDir, 'src')), statSync(join(dashboardDir, 'index.html')).mtimeMs);

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function withLock(work: () => void): void {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      // A lock left by a killed run is older than any build takes.
      if (existsSync(lockDir) && Date.now() - statSync(lockDir).mtimeMs > 60_000)
        rmSync(lockDir, { force: true, recursive: true });
      if (Date.now() > deadline) throw new Error(`the dashboard build lock ${lockDir} was never released`);
      sleep(100);
    }
  }
  try {
    work();
  } finally {
    rmSync(lockDir, { force: true, recursive: true });
  }
}

/**
 * Builds the dashboard when its build is missing or older than its sources (`npm install`
 * builds it; this catches sources changed since), so the tests never run stale pages.
 */
export function ensureDashboardBuilt(): void {
  if (isFresh()) return;
  withLock(() => {
    if (isFresh()) return;
    execFileSync(
      process.execPath,
      [fileURLToPath(new URL('../../scripts/build-dashboard.mjs', import.meta.url))],
      {
        stdio: 'inherit',
      },
    );
  });
}
