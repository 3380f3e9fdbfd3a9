import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import { generateSecret, hashSecret, visiblePrefixOf } from '../auth/api-key-secret.js';
import type { Principal } from '../auth/principal.js';
import type { PrincipalCache } from '../auth/principal-cache.js';
import { GatewayError } from '../core/gateway-error.js';
import type { Db } from '../db/database.js';
import { apiKeys } from '../db/schema.js';
import {
  type KeyLimits,
  type KeyLimitsPatch,
  keyLimitsPatchSchema,
  type ParsedKeyLimitsPatch,
} from '../limits/key-limits.js';
import { currentSpent, currentWindowStart } from './budget-sql.js';
import type { KeyChangeNotices } from './key-change-notices.js';

export type KeyScope = 'admin' | 'user';

export interface CreatedKey {
  id: string;
  name: string;
  prefix: string;
  scopes: KeyScope[];
  /** Shown once; only its hash is stored. */
  secret: string;
}

/** Where a key's budget stands (dollars as exact decimal strings). */
export interface BudgetStatus {
  limitUsd: string;
  period: KeyLimits['budgetPeriod'];
  /** Settled spend of the current window. */
  spentUsd: string;
  /** Held by requests in flight. */
  reservedUsd: string;
  /** `limit - spent - reserved`, never below zero. */
  remainingUsd: string;
  /** Start of the current window (UTC); undefined for the `total` period. */
  windowStart: Date | undefined;
}

/** A key as listed to admins and to itself: never its secret or hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: KeyScope[];
  createdAt: Date;
  lastUsedAt: Date | undefined;
  revokedAt: Date | undefined;
  limits: KeyLimits;
  /** Undefined when the key has no budget. */
  budget: BudgetStatus | undefined;
}

const limitColumns = {
  budgetUsd: apiKeys.budgetUsd,
  budgetPeriod: apiKeys.budgetPeriod,
  requestsPerMinute: apiKeys.requestsPerMinute,
  tokensPerMinute: apiKeys.tokensPerMinute,
  maxConcurrentRequests: apiKeys.maxConcurrentRequests,
  allowedModels: apiKeys.allowedModels,
};

const recordColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
  ...limitColumns,
  spent: sql<string>`${currentSpent}::text`,
  reserved: sql<string>`${apiKeys.budgetReservedUsd}::text`,
  remaining: sql<string>`greatest(${apiKeys.budgetUsd} - ${currentSpent} - ${apiKeys.budgetReservedUsd}, 0)::text`,
  windowStart: sql<string | null>`${currentWindowStart}::text`,
};

type LimitRow = { [K in keyof typeof limitColumns]: (typeof limitColumns)[K]['_']['data'] | null };
type RecordRow = LimitRow & {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  spent: string;
  reserved: string;
  remaining: string;
  windowStart: string | null;
};

/** NUMERIC comes back as `10.000000000000`: trim the zeros a person does not need. */
const trimDecimal = (value: string): string =>
  value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;

const toLimits = (row: LimitRow): KeyLimits => ({
  budgetUsd: row.budgetUsd === null ? undefined : trimDecimal(row.budgetUsd),
  budgetPeriod: row.budgetPeriod ?? 'total',
  requestsPerMinute: row.requestsPerMinute ?? undefined,
  tokensPerMinute: row.tokensPerMinute ?? undefined,
  maxConcurrentRequests: row.maxConcurrentRequests ?? undefined,
  allowedModels: row.allowedModels ?? undefined,
});

const toScopes = (scopes: string[]): KeyScope[] =>
  scopes.filter((scope): scope is KeyScope => scope === 'admin' || scope === 'user');

function toRecord(row: RecordRow): ApiKeyRecord {
  const limits = toLimits(row);
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: toScopes(row.scopes),
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt ?? undefined,
    revokedAt: row.revokedAt ?? undefined,
    limits,
    budget:
      limits.budgetUsd === undefined
        ? undefined
        : {
            limitUsd: limits.budgetUsd,
            period: limits.budgetPeriod,
            spentUsd: trimDecimal(row.spent),
            reservedUsd: trimDecimal(row.reserved),
            remainingUsd: trimDecimal(row.remaining),
            windowStart: row.windowStart === null ? undefined : new Date(row.windowStart),
          },
  };
}

/** Validates a limits patch once, at the edge; throws 400 `invalid_request` naming each field. */
export function parseLimitsPatch(patch: KeyLimitsPatch): ParsedKeyLimitsPatch {
  const parsed = keyLimitsPatchSchema.safeParse(patch);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'limits'}: ${issue.message}`,
  );
  throw new GatewayError('invalid_request', `invalid limits: ${problems.join('; ')}`, { fields: problems });
}

/** A parsed patch as column values (`null` clears a limit, absent leaves it). */
function limitValues(patch: ParsedKeyLimitsPatch): Partial<typeof apiKeys.$inferInsert> {
  const values: Partial<typeof apiKeys.$inferInsert> = {};
  if (patch.budgetUsd !== undefined) values.budgetUsd = patch.budgetUsd;
  if (patch.budgetPeriod !== undefined) values.budgetPeriod = patch.budgetPeriod;
  if (patch.requestsPerMinute !== undefined) values.requestsPerMinute = patch.requestsPerMinute;
  if (patch.tokensPerMinute !== undefined) values.tokensPerMinute = patch.tokensPerMinute;
  if (patch.maxConcurrentRequests !== undefined) values.maxConcurrentRequests = patch.maxConcurrentRequests;
  if (patch.allowedModels !== undefined) values.allowedModels = patch.allowedModels;
  return values;
}

/**
 * API keys: creation, lookup by secret, limits, revocation. With a `PrincipalCache`, an
 * active key is read from the database once per TTL; every change to a key made through
 * this store (here, in another instance, or by the keys CLI) is announced through
 * `KeyChangeNotices`, and `followChanges` drops it from the cache. A revocation or new limits
 * return only once every live instance has dropped the key, so they apply to the very next
 * request wherever it lands.
 */
export class ApiKeyStore {
  /** Runs on every request that misses the cache: built once, prepared on the server. */
  readonly #authenticateQuery;

  constructor(
    private readonly db: Db,
    private readonly cache?: PrincipalCache,
    /** Without it (tests of the store alone) nothing else is told of a change. */
    private readonly notices?: KeyChangeNotices,
  ) {
    this.#authenticateQuery = db
      .select({ id: apiKeys.id, name: apiKeys.name, scopes: apiKeys.scopes, ...limitColumns })
      .from(apiKeys)
      .where(and(eq(apiKeys.hash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
      .limit(1)
      .prepare('authenticate_api_key');
  }

  /** The principal of an active (not revoked) key, with its limits, or undefined. */
  async authenticate(secret: string): Promise<Principal | undefined> {
    const hash = hashSecret(secret);
    const cached = this.cache?.get(hash);
    if (cached) return cached;
    const generation = this.cache?.generation ?? 0;
    const [row] = await this.#authenticateQuery.execute({ hash });
    if (!row) return undefined;
    const principal = {
      keyId: row.id,
      name: row.name,
      admin: row.scopes.includes('admin'),
      limits: toLimits(row),
    };
    this.cache?.set(hash, principal, generation);
    return principal;
  }

  /**
   * Keeps the cache true to the database: drops each key announced as changed (and says so),
   * and everything whenever the listener (re)connects. Resolves once listening, with `stop`.
   * An instance without a cache follows too: the others wait for its acknowledgements.
   */
  followChanges(): Promise<() => Promise<void>> {
    if (!this.notices) return Promise.resolve(async () => {});
    return this.notices.follow(
      (keyId) => this.cache?.dropKey(keyId),
      () => this.cache?.clear(),
    );
  }

  /**
   * Forgets the key here at once, and tells every instance to do the same (after the change
   * is committed); `wait`ing for them when the change takes something away.
   */
  async #announceChange(id: string, wait = true): Promise<void> {
    this.cache?.dropKey(id);
    await this.notices?.announce(id, { wait });
  }

  /** Creates a key; `limits` is validated like `setLimits` (400 `invalid_request`). */
  async create(
    name: string,
    scopes: KeyScope[],
    options: { secret?: string; limits?: KeyLimitsPatch } = {},
  ): Promise<CreatedKey> {
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 200)
      throw new GatewayError('invalid_request', 'invalid key: name: must be 1 to 200 characters');
    const limits = parseLimitsPatch(options.limits ?? {});
    const secret = options.secret ?? generateSecret();
    const [row] = await this.db
      .insert(apiKeys)
      .values({
        name: trimmed,
        scopes,
        prefix: visiblePrefixOf(secret),
        hash: hashSecret(secret),
        ...limitValues(limits),
      })
      .returning({ id: apiKeys.id });
    return { id: row!.id, name: trimmed, prefix: visiblePrefixOf(secret), scopes, secret };
  }

  /** Every key, oldest first (revoked ones included, marked). */
  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .select(recordColumns)
      .from(apiKeys)
      .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
    return rows.map(toRecord);
  }

  /** One key with its limits and remaining budget (for `me` and for admins). */
  async get(id: string): Promise<ApiKeyRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db.select(recordColumns).from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
    return row ? toRecord(row) : undefined;
  }

  /** Revokes a key at once (idempotent: a second call keeps the first time). Undefined if unknown. */
  async revoke(id: string): Promise<ApiKeyRecord | undefined> {
    if (!isUuid(id)) return undefined;
    await this.db
      .update(apiKeys)
      .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
      .where(eq(apiKeys.id, id));
    await this.#announceChange(id);
    return this.get(id);
  }

  /**
   * Changes some limits (absent fields stay, `null` removes a limit). Spend and reservations
   * are kept; a lower budget simply refuses new reservations until spend fits under it.
   */
  async setLimits(id: string, patch: KeyLimitsPatch): Promise<ApiKeyRecord | undefined> {
    const values = limitValues(parseLimitsPatch(patch));
    if (!isUuid(id)) return undefined;
    if (Object.keys(values).length > 0) {
      await this.db.update(apiKeys).set(values).where(eq(apiKeys.id, id));
      await this.#announceChange(id);
    }
    return this.get(id);
  }

  async count(): Promise<number> {
    const [row] = await this.db.select({ value: count() }).from(apiKeys);
    return row?.value ?? 0;
  }

  /** Makes sure `secret` is an active admin key (stored hashed). */
  async ensureAdminKey(secret: string): Promise<void> {
    const hash = hashSecret(secret);
    const [existing] = await this.db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(eq(apiKeys.hash, hash))
      .limit(1);
    if (existing) {
      await this.db
        .update(apiKeys)
        .set({ revokedAt: null, scopes: ['admin'] })
        .where(eq(apiKeys.id, existing.id));
      // It only gives back (at boot, under the admin-key lock): nobody need wait for it.
      await this.#announceChange(existing.id, false);
      return;
    }
    await this.create('admin (ADMIN_API_KEY)', ['admin'], { secret });
  }
}

const isUuid = (value: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
