import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { FigureSummary } from '../routing/fleet-figures.js';
import type { RedisClients } from './redis-clients.js';

const optionalFigure = z.number().nonnegative().optional();

const summarySchema = z.object({
  attempts: z.int().nonnegative(),
  failed: z.int().nonnegative(),
  ttftMs: optionalFigure,
  msPerOutputToken: optionalFigure,
  samples: z.int().nonnegative(),
  ttftP50Ms: optionalFigure,
  ttftP95Ms: optionalFigure,
  latencyP50Ms: optionalFigure,
  latencyP95Ms: optionalFigure,
  openForMs: optionalFigure,
});

const messageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('figures'), from: z.string(), models: z.record(z.string(), summarySchema) }),
  z.object({ kind: z.literal('leaving'), from: z.string() }),
]);

/** What the figures sync needs of the health tracker. */
export interface FigureSource {
  summarize(): Record<string, FigureSummary>;
  mergeRemote(source: string, models: Record<string, FigureSummary>): void;
  forgetRemote(source: string): void;
}

export interface FiguresSync {
  /** Says goodbye (so the others drop this instance's figures at once) and disconnects. */
  close(): Promise<void>;
}

/** How often each instance tells the others what it has seen. */
export const figuresIntervalMs = 1_000;

/**
 * Shares the live figures that rank candidates (moving time to first token and output speed,
 * error rates, percentiles) between instances: each publishes a compact summary of its own
 * traffic every second on `<prefix>:figures` and merges what it hears, so every instance
 * ranks with the whole fleet's experience. Summaries are replaced, not accumulated, so a
 * message lost while Redis is away costs nothing once the next one arrives; an instance that
 * goes quiet drops out of the figures after a few seconds (see `remoteFiguresTtlMs`).
 */
export function shareFiguresThroughRedis(
  health: FigureSource,
  options: { redis: RedisClients; prefix: string; logger: Logger; intervalMs?: number },
): FiguresSync {
  const channel = `${options.prefix}:figures`;
  const instanceId = randomUUID();
  // No offline queue: a summary that cannot go now is stale by the next tick anyway.
  const publisher = options.redis.commands('figures publish');
  const subscriber = options.redis.subscriber('figures subscribe', [channel]);
  subscriber.on('message', (_channel: string, raw: string) => {
    let message: z.infer<typeof messageSchema>;
    try {
      message = messageSchema.parse(JSON.parse(raw));
    } catch {
      options.logger.warn({ channel }, 'ignored a malformed figures message');
      return;
    }
    if (message.from === instanceId) return;
    if (message.kind === 'leaving') health.forgetRemote(message.from);
    else health.mergeRemote(message.from, message.models);
  });

  const publish = (message: z.infer<typeof messageSchema>) =>
    publisher.publish(channel, JSON.stringify(message)).catch(() => {
      // Redis is away: each instance ranks with its own figures until it is back.
    });
  const timer = setInterval(() => {
    const models = health.summarize();
    if (Object.keys(models).length > 0) void publish({ kind: 'figures', from: instanceId, models });
  }, options.intervalMs ?? figuresIntervalMs);
  timer.unref();

  return {
    async close() {
      clearInterval(timer);
      await publish({ kind: 'leaving', from: instanceId });
    },
  };
}
