import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { RedisClients } from '../shared-state/redis-clients.js';
import type { CompletionRecord } from '../store/completion-recorder.js';
import {
  type ActivityTopics,
  activityOf,
  completionEventSchema,
  conversationEventSchema,
} from './activity-events.js';

/** The activity of the gateway (finished completions, appended turns) as events to subscribe to. */
export interface ActivityFeed {
  /** Publishes the events of records just written. Never throws. */
  publish(records: CompletionRecord[]): void;
  /** Every event of the topic from now on, from every instance; ends when `return()` is called. */
  subscribe<T extends keyof ActivityTopics>(topic: T): AsyncIterableIterator<ActivityTopics[T]>;
  close(): Promise<void>;
}

/** What travels on a channel: one event, tagged with its topic so one schema parses both. */
const envelopeSchema = z.discriminatedUnion('topic', [
  z.object({ topic: z.literal('completion'), event: completionEventSchema }),
  z.object({ topic: z.literal('conversation'), event: conversationEventSchema }),
]);
type Envelope = z.infer<typeof envelopeSchema>;

type Channels = Record<string, [Envelope]>;
type ActivityEvent = CustomEvent<Envelope | null>;

/** Yoga's pub/sub in this process only (no REDIS_URL): subscribers hear this instance's activity. */
export function createLocalActivityFeed(): ActivityFeed {
  return feedOver(createPubSub<Channels>(), 'local', { heardElsewhere: false, close: async () => {} });
}

/**
 * Yoga's pub/sub over Redis (`@graphql-yoga/redis-event-target`), so a subscriber on one
 * instance hears what any instance served. While Redis cannot be reached (also from boot),
 * events are handed to this instance's own subscribers instead (per-instance behaviour, as
 * without Redis); subscriptions stay open and hear the whole fleet again once the clients
 * reconnect (the subscriber subscribes again each time it connects). Events published during
 * the outage reach only the instance that served them.
 */
export function createRedisActivityFeed(options: {
  redis: RedisClients;
  prefix: string;
  logger: Logger;
}): ActivityFeed {
  const { logger } = options;
  const channels = channelsOf(options.prefix);
  const publisher = options.redis.commands('activity publish');
  // Both channels are subscribed for the instance's whole life, at every (re)connection: a
  // subscription made later never waits on (or races) a Redis SUBSCRIBE.
  const subscriber = options.redis.subscriber('activity subscribe', Object.values(channels));

  const local = new EventTarget();
  const deliverHere = (channel: string, envelope: Envelope) =>
    local.dispatchEvent(new CustomEvent(channel, { detail: envelope }));
  const redisTarget = createRedisEventTarget<ActivityEvent>({
    // The library leaves publish's promise unhandled: this client catches a failure and
    // delivers the event here instead.
    publishClient: {
      publish: (channel: string, message: string) =>
        publisher
          .publish(channel, message)
          .catch(() => deliverHere(channel, JSON.parse(message) as Envelope)),
    } as unknown as Redis,
    // The library's own SUBSCRIBE calls would be lost while Redis is away (and leave their
    // failure unhandled): the client above keeps both channels subscribed instead.
    subscribeClient: {
      on: (event: 'message', listener: (channel: string, message: string) => void) =>
        subscriber.on(event, listener),
      subscribe: async () => {},
      unsubscribe: async () => {},
    } as unknown as Redis,
    serializer: {
      stringify: JSON.stringify,
      // A malformed message becomes null, which subscribers skip (throwing here would throw in ioredis).
      parse: (text: string) => {
        const parsed = envelopeSchema.safeParse(safeJson(text));
        if (!parsed.success) logger.warn('ignored a malformed activity event');
        return parsed.success ? parsed.data : null;
      },
    },
  });
  type Listener = Parameters<typeof redisTarget.addEventListener>[1];
  // Listeners hear both Redis and this instance's own deliveries; an event goes to Redis
  // while the publishing client is connected, else straight to this instance's subscribers.
  const target = {
    addEventListener(type: string, listener: Listener) {
      redisTarget.addEventListener(type, listener);
      local.addEventListener(type, listener as EventListenerOrEventListenerObject | null);
    },
    removeEventListener(type: string, listener: Listener) {
      redisTarget.removeEventListener(type, listener);
      local.removeEventListener(type, listener as EventListenerOrEventListenerObject | null);
    },
    dispatchEvent(event: ActivityEvent) {
      if (publisher.status === 'ready') return redisTarget.dispatchEvent(event);
      return local.dispatchEvent(new CustomEvent(event.type, { detail: event.detail }));
    },
  } as typeof redisTarget;

  return feedOver(createPubSub<Channels>({ eventTarget: target }), options.prefix, {
    heardElsewhere: true,
    close: async () => {},
  });
}

const channelsOf = (prefix: string): Record<keyof ActivityTopics, string> => ({
  completion: `${prefix}:activity:completion`,
  conversation: `${prefix}:activity:conversation`,
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * `heardElsewhere`: whether other instances may subscribe (Redis). When they cannot, a write
 * with no subscriber in this process builds no events at all: nobody could hear them.
 */
function feedOver(
  pubSub: ReturnType<typeof createPubSub<Channels>>,
  prefix: string,
  { heardElsewhere, close }: { heardElsewhere: boolean; close: () => Promise<void> },
): ActivityFeed {
  const channels = channelsOf(prefix);
  const open = new Set<AsyncIterableIterator<unknown>>();
  let closed = false;
  return {
    publish(records) {
      if (!heardElsewhere && open.size === 0) return;
      try {
        const { completions, conversations } = activityOf(records);
        for (const event of completions) pubSub.publish(channels.completion, { topic: 'completion', event });
        for (const event of conversations)
          pubSub.publish(channels.conversation, { topic: 'conversation', event });
      } catch {
        // An event lost is a dashboard's gap, never a failed request.
      }
    },
    subscribe<T extends keyof ActivityTopics>(topic: T) {
      const events = boundedEvents(pubSub.subscribe(channels[topic]), topic, () => open.delete(events));
      if (closed) void events.return?.();
      else open.add(events);
      return events;
    },
    async close() {
      closed = true;
      // Every subscription ends (its client sees it complete), so shutdown need not wait on them.
      await Promise.allSettled([...open].map((events) => events.return?.()));
      await close();
    },
  };
}

/** A subscriber further behind than this loses its oldest events rather than memory without bound. */
const maxQueuedEvents = 1_000;

/**
 * Drains the pub/sub's iterator at once into a bounded queue read by the subscriber, so a
 * slow subscriber drops its oldest events instead of overflowing the pub/sub's own queue
 * (whose overflow would throw inside the publisher).
 */
function boundedEvents<T extends keyof ActivityTopics>(
  source: AsyncIterableIterator<Envelope | null> & { return(): Promise<unknown> },
  topic: T,
  onEnd: () => void,
): AsyncIterableIterator<ActivityTopics[T]> {
  const queue: ActivityTopics[T][] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const pump = (async () => {
    try {
      for await (const envelope of source) {
        if (envelope?.topic !== topic) continue;
        if (queue.length >= maxQueuedEvents) queue.shift();
        queue.push(envelope.event as ActivityTopics[T]);
        wake?.();
      }
    } finally {
      ended = true;
      wake?.();
    }
  })();
  const iterator: AsyncIterableIterator<ActivityTopics[T]> = {
    async next() {
      while (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      const value = queue.shift();
      return value === undefined ? { done: true, value: undefined } : { done: false, value };
    },
    async return() {
      ended = true;
      onEnd();
      queue.length = 0;
      await source.return();
      await pump.catch(() => {});
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
