import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { HealthTracker } from '../routing/health-tracker.js';
import type { RedisClients } from './redis-clients.js';

const messageSchema = z.object({
  from: z.string(),
  modelId: z.string(),
  change: z.discriminatedUnion('state', [
    z.object({ state: z.literal('open'), cooldownRemainingMs: z.number().nonnegative() }),
    z.object({ state: z.literal('closed') }),
  ]),
});

export interface HealthSync {
  close(): Promise<void>;
}

/**
 * Shares circuit breakers between instances: when one instance opens (or closes) a
 * model's circuit, the others follow through Redis pub/sub, so a failing provider is
 * avoided everywhere after the first instance has seen it fail. A change made while Redis
 * is away is not sent; the open circuits repeated in the figures (redis-figures-sync.ts)
 * catch the others up within a second once it is back.
 */
export function shareHealthThroughRedis(
  health: HealthTracker,
  options: { redis: RedisClients; prefix: string; logger: Logger },
): HealthSync {
  const channel = `${options.prefix}:health`;
  const instanceId = randomUUID();
  const publisher = options.redis.commands('health publish');
  const subscriber = options.redis.subscriber('health subscribe', [channel]);
  subscriber.on('message', (_channel: string, raw: string) => {
    let parsed: z.infer<typeof messageSchema>;
    try {
      parsed = messageSchema.parse(JSON.parse(raw));
    } catch {
      options.logger.warn({ channel }, 'ignored a malformed health message');
      return;
    }
    if (parsed.from !== instanceId) health.applyRemote(parsed.modelId, parsed.change);
  });
  health.onCircuitChange = (modelId, change) => {
    publisher
      .publish(channel, JSON.stringify({ from: instanceId, modelId, change }))
      .catch((error: unknown) => {
        options.logger.debug({ err: error }, 'could not share a circuit change');
      });
  };
  return {
    async close() {
      health.onCircuitChange = () => {};
    },
  };
}
