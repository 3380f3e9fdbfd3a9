import { createApp } from './app.js';
import { ConfigError } from './config/config-error.js';
import { type Config, loadConfig } from './config/load-config.js';
import { createLogger } from './logging/logger.js';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
    process.exit(2);
  }
}

const config = readConfig();
const logger = createLogger(config.logLevel);
const app = await createApp({
  config,
  logger,
  onFirstAdminKey: (secret) => {
    process.stdout.write(
      `\nNo API key existed, so an admin key was created. It is shown only this once:\n\n  ${secret}\n\n`,
    );
  },
});
await app.start();

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  app.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
