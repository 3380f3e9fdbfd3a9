import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import { generateSecret, hashSecret, visiblePrefixOf } from '../auth/api-key-secret.js';
import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/database.js';
import { apiKeys } from '../db/schema.js';

export type KeyScope = 'admin' | 'user';

export interface CreatedKey {
  id: string;
  name: string;
  prefix: string;
  scopes: KeyScope[];
  /** Shown once; only its hash is stored. */
  secret: string;
}

/** A key as listed: never its secret or hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: KeyScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const recordColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

const toRecord = (row: Omit<ApiKeyRecord, 'scopes'> & { scopes: string[] }): ApiKeyRecord => ({
  ...row,
  scopes: row.scopes.filter((scope): scope is KeyScope => scope === 'admin' || scope === 'user'),
});

/** API keys: creation, lookup by secret, the boot-time admin key. */
export class ApiKeyStore {
  constructor(private readonly db: Db) {}

  /** The principal of an active (not revoked) key, or undefined. */
  async authenticate(secret: string): Promise<Principal | undefined> {
    const [row] = await this.db
      .select({ id: apiKeys.id, name: apiKeys.name, scopes: apiKeys.scopes })
      .from(apiKeys)
      .where(and(eq(apiKeys.hash, hashSecret(secret)), isNull(apiKeys.revokedAt)))
      .limit(1);
    return row ? { keyId: row.id, name: row.name, admin: row.scopes.includes('admin') } : undefined;
  }

  async create(name: string, scopes: KeyScope[], secret = generateSecret()): Promise<CreatedKey> {
    const [row] = await this.db
      .insert(apiKeys)
      .values({ name, scopes, prefix: visiblePrefixOf(secret), hash: hashSecret(secret) })
      .returning({ id: apiKeys.id });
    return { id: row!.id, name, prefix: visiblePrefixOf(secret), scopes, secret };
  }

  /** Every key, revoked ones included, oldest first. */
  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .select(recordColumns)
      .from(apiKeys)
      .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
    return rows.map(toRecord);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const [row] = await this.db.select(recordColumns).from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
    return row ? toRecord(row) : undefined;
  }

  /** Revokes the key (it stops authenticating at once); undefined when no such key exists. */
  async revoke(id: string): Promise<ApiKeyRecord | undefined> {
    const [row] = await this.db
      .update(apiKeys)
      .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
      .where(eq(apiKeys.id, id))
      .returning(recordColumns);
    return row ? toRecord(row) : undefined;
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
      return;
    }
    await this.create('admin (ADMIN_API_KEY)', ['admin'], secret);
  }
}
