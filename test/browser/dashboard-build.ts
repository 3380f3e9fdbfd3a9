import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dashboardDir = fileURLToPath(new URL('../../dashboard', import.meta.url));
const builtIndex = join(dashboardDir, 'dist/index.html');

const newestSource = (dir: string): number =>
  Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    }),
  );

/**
 * Builds the dashboard when its build is missing or older than its sources (`npm install`
 * builds it; this catches a checkout changed since), so the tests never run stale pages.
 */
export function ensureDashboardBuilt(): void {
  const sources = Math.max(
    newestSource(join(dashboardDir, 'src')),
    statSync(join(dashboardDir, 'index.html')).mtimeMs,
  );
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../../scripts/build-dashboard.mjs', import.meta.url))],
    {
      stdio: 'inherit',
    },
  );
}
