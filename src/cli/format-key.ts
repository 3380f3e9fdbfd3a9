import type { ApiKeyRecord } from '../store/api-key-store.js';

const orDash = (value: string | number | undefined): string => (value === undefined ? '-' : String(value));

/** One key as a few human-readable lines (no secret: it is never stored). */
export function formatKey(key: ApiKeyRecord): string {
  const { limits, budget } = key;
  const lines = [
    `${key.name}  id=${key.id}  prefix=${key.prefix}…  scopes=${key.scopes.join(',')}`,
    `  created ${key.createdAt.toISOString()}  last used ${key.lastUsedAt?.toISOString() ?? 'never'}${
      key.revokedAt ? `  REVOKED ${key.revokedAt.toISOString()}` : ''
    }`,
    `  budget ${
      budget
        ? `$${budget.limitUsd} ${budget.period} (spent $${budget.spentUsd}, reserved $${budget.reservedUsd}, remaining $${budget.remainingUsd})`
        : '-'
    }  rpm ${orDash(limits.requestsPerMinute)}  tpm ${orDash(limits.tokensPerMinute)}  concurrency ${orDash(
      limits.maxConcurrentRequests,
    )}  models ${limits.allowedModels?.join(',') ?? 'all'}`,
  ];
  return lines.join('\n');
}

/** A key as JSON for scripts: dates as ISO strings, no secret. */
export const keyToJson = (key: ApiKeyRecord) => ({
  ...key,
  createdAt: key.createdAt.toISOString(),
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  revokedAt: key.revokedAt?.toISOString() ?? null,
  budget: key.budget ? { ...key.budget, windowStart: key.budget.windowStart?.toISOString() ?? null } : null,
});
