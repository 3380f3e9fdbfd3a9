import type { Principal } from './principal.js';

interface Entry {
  principal: Principal;
  expiresAt: number;
}

/**
 * Active keys recently seen, by secret hash, so that a request does not wait on a database
 * round trip to learn who sent it. A change to a key (revocation, new limits) drops its entry
 * at once, here and, through the database's notifications, on every instance; the TTL only
 * bounds how long a change made behind the gateway's back (plain SQL) can go unseen.
 *
 * Unknown and revoked secrets are never cached: a wrong key costs a lookup every time, and
 * a key created a moment ago works at once.
 */
export class PrincipalCache {
  readonly #entries = new Map<string, Entry>();
  /** Bumped by every invalidation: a lookup that raced one must not store what it read. */
  #generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  /** The generation to hand back to `set` with what a lookup started now reads. */
  get generation(): number {
    return this.#generation;
  }

  get(hash: string): Principal | undefined {
    const entry = this.#entries.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry.principal;
    this.#entries.delete(hash);
    return undefined;
  }

  /** Stores a lookup's result, unless some key changed since the lookup began. */
  set(hash: string, principal: Principal, generation: number): void {
    if (generation !== this.#generation) return;
    if (this.#entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the oldest entry goes first.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(hash, { principal, expiresAt: this.now() + this.ttlMs });
  }

  /** Forgets one key (by id), wherever it is cached. */
  dropKey(keyId: string): void {
    this.#generation++;
    for (const [hash, entry] of this.#entries) {
      if (entry.principal.keyId === keyId) this.#entries.delete(hash);
    }
  }

  /** Forgets every key (when notifications may have been missed). */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
