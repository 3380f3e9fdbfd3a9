import { type Logger, pino } from 'pino';
import { CoalescingStdout } from './coalescing-stdout.js';

/** JSON logs to stdout; secrets never reach them because no handler logs headers or bodies. */
export function createLogger(level: string): Logger {
  const destination = new CoalescingStdout();
  process.once('exit', () => destination.flushSync());
  return pino(
    {
      level,
      base: { service: 'switchyard' },
      redact: { paths: ['req.headers.authorization', '*.authorization', '*.apiKey'], remove: true },
    },
    destination,
  );
}
