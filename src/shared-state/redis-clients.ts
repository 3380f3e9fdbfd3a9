import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/** How long boot waits for Redis to answer before serving without it. */
const firstConnectWaitMs = 2_000;

/**
 * The instance's Redis connections. None is needed to boot: each connects, and reconnects,
 * in the background (ioredis retries at most every 2 s), and while Redis is away what it
 * shares falls back to this instance alone (see each user). The outage is logged once when
 * it starts and once when every connection is back, not at each failed retry.
 */
export class RedisClients {
  readonly #clients: Redis[] = [];
  /** Clients not connected right now. */
  readonly #down = new Set<Redis>();
  /** Resolve when each client first connects or first fails. */
  readonly #firstAttempts: Promise<void>[] = [];
  #outage = false;
  #closing = false;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {}

  /** For commands: they fail at once while Redis is away (no queue), so callers fall back. */
  commands(role: string): Redis {
    const client = this.#open(role, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.#firstAttempts.push(firstAttemptOf(client));
    return client;
  }

  /**
   * For SUBSCRIBE: subscribes to `channels` each time it (re)connects, so subscriptions
   * survive a Redis restart (no ready check, as STACK.md says of ioredis subscribers).
   */
  subscriber(role: string, channels: string[]): Redis {
    const client = this.#open(role, {
      enableReadyCheck: false,
      enableOfflineQueue: false,
      autoResubscribe: false,
      maxRetriesPerRequest: 1,
    });
    let subscribed: Promise<void> = Promise.resolve();
    client.on('ready', () => {
      subscribed = client.subscribe(...channels).then(
        () => {},
        (error: unknown) =>
          this.logger.debug({ err: error, role }, 'redis subscribe failed; retried on reconnect'),
      );
    });
    // Boot waits for the first subscription too, when Redis answers.
    this.#firstAttempts.push(firstAttemptOf(client).then(() => subscribed));
    return client;
  }

  /**
   * Resolves once every client has connected (subscribers: and subscribed) or failed once,
   * within a bound: an instance serves without Redis rather than wait for it.
   */
  async settled(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.#firstAttempts),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, firstConnectWaitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Quits every client (those still trying to connect give up at once). */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled(
      this.#clients.map((client) => (client.status === 'ready' ? client.quit() : client.disconnect())),
    );
  }

  #open(role: string, options: RedisOptions): Redis {
    const client = new Redis(this.url, { ...options, lazyConnect: true });
    this.#clients.push(client);
    this.#down.add(client);
    client.on('ready', () => {
      this.#down.delete(client);
      if (this.#outage && this.#down.size === 0) {
        this.#outage = false;
        this.logger.info('redis reachable again: limits, circuits, figures and activity are shared again');
      }
    });
    client.on('close', () => this.#down.add(client));
    client.on('error', (error: Error) => {
      this.#down.add(client);
      if (this.#closing || this.#outage) return;
      this.#outage = true;
      this.logger.warn(
        { err: error, role },
        'redis unreachable: limits, circuits, figures and activity are per instance until it is back',
      );
    });
    client.connect().catch(() => {
      // Retried in the background (the error is logged above).
    });
    return client;
  }
}

/** Resolves when the client first connects or first fails to. */
const firstAttemptOf = (client: Redis): Promise<void> =>
  new Promise<void>((resolve) => {
    client.once('ready', () => resolve());
    client.once('error', () => resolve());
  });
