import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';

/** Where a change to a key is announced (`NOTIFY`, payload: `<key id>[ <change id>]`). */
const changesChannel = 'switchyard_api_keys';
/** Where an instance says it applied a change (payload: `<change id> <its listener name>`). */
const acksChannel = 'switchyard_api_key_acks';
/** How the listening session of every instance is named in `pg_stat_activity`. */
const instanceNamePrefix = 'switchyard instance ';

/** How long an announcement waits for the instances' acknowledgements before going on. */
export const keyChangeAckTimeoutMs = 2_000;

/** A fresh name for an instance's listening session (`OpenDatabaseOptions.listenerName`). */
export const newInstanceListenerName = (): string => `${instanceNamePrefix}${randomUUID()}`;

const isUuid = (value: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

interface PendingChange {
  waitingFor: Set<string>;
  done: () => void;
}

/**
 * Key changes told to every instance through PostgreSQL, acknowledged. The instances are
 * the sessions named `switchyard instance <uuid>` in `pg_stat_activity`: each instance's
 * listening session carries its name, so an instance is counted exactly while it listens,
 * and one that died (its sockets closed) drops out at once. An announcement lists them,
 * sends `NOTIFY`, and resolves once each has answered that it dropped the key from its
 * cache, or after `ackTimeoutMs`: an instance that cannot answer in time is presumed dead or
 * cut off from PostgreSQL (it drops its whole cache when its listener reconnects). With no
 * other instance it costs one query on `pg_stat_activity`; on PGlite (one process) none.
 */
export class KeyChangeNotices {
  readonly #pending = new Map<string, PendingChange>();
  #hearingAcks: Promise<() => Promise<void>> | undefined;

  constructor(
    private readonly database: Database,
    private readonly options: { logger?: Logger; ackTimeoutMs?: number } = {},
  ) {}

  /**
   * Hears every announced change: `onChange` runs first, then this instance acknowledges
   * (when its listener is named); `onListening` each time the listener is (re)connected,
   * since whatever was announced meanwhile is lost. Resolves once listening, with `stop`.
   */
  async follow(onChange: (keyId: string) => void, onListening: () => void): Promise<() => Promise<void>> {
    const self = this.database.listenerName;
    const stopChanges = await this.database.listen(
      changesChannel,
      (payload) => {
        const [keyId = '', changeId] = payload.split(' ');
        onChange(keyId);
        if (self && changeId && isUuid(changeId)) void this.#notify(acksChannel, `${changeId} ${self}`);
      },
      onListening,
    );
    const stopAcks = await this.#listenForAcks();
    return async () => {
      await stopChanges();
      await stopAcks();
    };
  }

  /**
   * Tells every instance that the key changed. With `wait` (a change that takes something
   * away: revocation, limits), resolves only once every live instance has acknowledged it.
   */
  async announce(keyId: string, { wait }: { wait: boolean }): Promise<void> {
    const others = wait ? await this.#otherInstances() : [];
    if (others.length === 0) {
      await this.#notify(changesChannel, keyId);
      return;
    }
    await this.#listenForAcks();
    const changeId = randomUUID();
    const waitingFor = new Set(others);
    let timer: NodeJS.Timeout | undefined;
    const acknowledged = new Promise<boolean>((resolve) => {
      this.#pending.set(changeId, { waitingFor, done: () => resolve(true) });
      timer = setTimeout(resolve, this.options.ackTimeoutMs ?? keyChangeAckTimeoutMs, false);
    });
    try {
      await this.#notify(changesChannel, `${keyId} ${changeId}`);
      if (!(await acknowledged))
        this.options.logger?.warn(
          { keyId, instances: [...waitingFor] },
          'instances did not acknowledge a key change in time; presumed dead or cut off from PostgreSQL',
        );
    } finally {
      clearTimeout(timer);
      this.#pending.delete(changeId);
    }
  }

  /** The named listening sessions on this database, but this process's own. */
  async #otherInstances(): Promise<string[]> {
    if (this.database.driver !== 'postgres') return [];
    try {
      const rows = await this.database.db
        .selectDistinct({ name: sql<string>`application_name` })
        .from(sql`pg_stat_activity`)
        .where(sql`datname = current_database() and starts_with(application_name, ${instanceNamePrefix})`);
      return rows.map((row) => row.name).filter((name) => name !== this.database.listenerName);
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'could not list the instances to wait for; not waiting');
      return [];
    }
  }

  /** Listens for acknowledgements once, for this store's whole life. */
  #listenForAcks(): Promise<() => Promise<void>> {
    this.#hearingAcks ??= this.database.listen(
      acksChannel,
      (payload) => {
        const space = payload.indexOf(' ');
        const pending = this.#pending.get(payload.slice(0, space));
        if (!pending) return;
        pending.waitingFor.delete(payload.slice(space + 1));
        if (pending.waitingFor.size === 0) pending.done();
      },
      () => {},
    );
    return this.#hearingAcks;
  }

  async #notify(channel: string, payload: string): Promise<void> {
    try {
      await this.database.db.execute(sql`select pg_notify(${channel}, ${payload})`);
    } catch (error) {
      // Only an acknowledgement gets here unawaited: its announcer waits out the bound.
      if (channel === changesChannel) throw error;
      this.options.logger?.warn({ err: error }, 'could not acknowledge a key change');
    }
  }
}
