import { type Logger, pino } from 'pino';

/** JSON logs; secrets never reach them because no handler logs headers or bodies. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'switchyard' },
    redact: { paths: ['req.headers.authorization', '*.authorization', '*.apiKey'], remove: true },
  });
}
