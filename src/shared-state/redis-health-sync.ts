import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { HealthTracker } from '../routing/health-tracker.js';

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
 * avoided everywhere after the first instance has seen it fail.
 */
export async function shareHealthThroughRedis(
  health: HealthTracker,
  options: { url: string; prefix: string; logger: Logger },
): Promise<HealthSync> {
  const channel = `${options.prefix}:health`;
  const instanceId = randomUUID();
  const publisher = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  // A subscriber without the ready check, both connected before subscribing: otherwise a
  // subscription can be lost at start-up (see STACK.md).
  const subscriber = new Redis(options.url, { lazyConnect: true, enableReadyCheck: false });
  await Promise.all([publisher.connect(), subscriber.connect()]);
  await subscriber.subscribe(channel);
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
        options.logger.warn({ err: error }, 'could not share a circuit change');
      });
  };
  return {
    async close() {
      health.onCircuitChange = () => {};
      await Promise.allSettled([subscriber.quit(), publisher.quit()]);
    },
  };
}
