// Builds the dashboard (dashboard/ → dashboard/dist/, served under /ui/). Run by `npm install`
// (the "prepare" script) with --if-possible: then a missing Vite (an install without dev
// dependencies) or a failed build warns instead of failing the install, and the gateway
// answers /ui/ with how to build it.
import { fileURLToPath } from 'node:url';

const ifPossible = process.argv.includes('--if-possible');
const configFile = fileURLToPath(new URL('../dashboard/vite.config.ts', import.meta.url));

const giveUp = (message) => {
  console.warn(`switchyard: the dashboard was not built: ${message}; run "npm run build:dashboard"`);
  process.exit(ifPossible ? 0 : 1);
};

let vite;
try {
  vite = await import('vite');
} catch {
  giveUp('Vite is not installed (dev dependencies omitted?)');
}
const started = Date.now();
try {
  await vite.build({ configFile, logLevel: 'warn' });
} catch (error) {
  giveUp(error instanceof Error ? error.message : String(error));
}
console.log(`switchyard: dashboard built in ${Date.now() - started} ms`);
