import type { KeyLimits, KeyLimitsPatch } from '../../limits/key-limits.js';
import type { BudgetStatus as CoreBudgetStatus } from '../../store/api-key-store.js';
import { builder } from '../builder.js';
import { DateTime, Decimal } from './scalars.js';

const BudgetPeriod = builder.enumType('BudgetPeriod', {
  values: {
    TOTAL: { value: 'total', description: 'One budget for the key’s lifetime.' },
    DAILY: { value: 'daily', description: 'Starts afresh at 00:00 UTC each day.' },
    MONTHLY: { value: 'monthly', description: 'Starts afresh at 00:00 UTC on the 1st.' },
  } as const,
});

export const ApiKeyLimits = builder.objectRef<KeyLimits>('ApiKeyLimits').implement({
  description: 'What a key may use; a null limit is not enforced.',
  fields: (t) => ({
    budgetUsd: t.field({
      type: Decimal,
      nullable: true,
      description: 'US dollars per budgetPeriod.',
      resolve: (limits) => limits.budgetUsd ?? null,
    }),
    budgetPeriod: t.field({ type: BudgetPeriod, resolve: (limits) => limits.budgetPeriod }),
    requestsPerMinute: t.int({ nullable: true, resolve: (limits) => limits.requestsPerMinute ?? null }),
    tokensPerMinute: t.int({ nullable: true, resolve: (limits) => limits.tokensPerMinute ?? null }),
    maxConcurrentRequests: t.int({
      nullable: true,
      resolve: (limits) => limits.maxConcurrentRequests ?? null,
    }),
    allowedModels: t.stringList({
      nullable: true,
      description: '"provider" or "provider/model" entries; null allows every model.',
      resolve: (limits) => limits.allowedModels ?? null,
    }),
  }),
});

export const BudgetStatus = builder.objectRef<CoreBudgetStatus>('BudgetStatus').implement({
  description: 'Where a key’s budget stands in its current window (US dollars, exact).',
  fields: (t) => ({
    limit: t.field({ type: Decimal, resolve: (budget) => budget.limitUsd }),
    period: t.field({ type: BudgetPeriod, resolve: (budget) => budget.period }),
    spent: t.field({
      type: Decimal,
      description: 'Settled spend of the current window.',
      resolve: (budget) => budget.spentUsd,
    }),
    reserved: t.field({
      type: Decimal,
      description: 'Held by requests in flight.',
      resolve: (budget) => budget.reservedUsd,
    }),
    remaining: t.field({
      type: Decimal,
      description: 'limit − spent − reserved, never below zero.',
      resolve: (budget) => budget.remainingUsd,
    }),
    windowStart: t.field({
      type: DateTime,
      nullable: true,
      description: 'Start of the current window; null for the TOTAL period.',
      resolve: (budget) => budget.windowStart ?? null,
    }),
  }),
});

export const ApiKeyLimitsInput = builder.inputType('ApiKeyLimitsInput', {
  description: 'A change to a key’s limits: an absent field is left as it is, null removes that limit.',
  fields: (t) => ({
    budgetUsd: t.field({ type: Decimal, description: 'US dollars per budgetPeriod, e.g. "10" or "2.50".' }),
    budgetPeriod: t.field({ type: BudgetPeriod, description: 'null sets it back to TOTAL.' }),
    requestsPerMinute: t.int(),
    tokensPerMinute: t.int(),
    maxConcurrentRequests: t.int(),
    allowedModels: t.stringList({ description: '"provider" or "provider/model" entries.' }),
  }),
});

type LimitsInput = typeof ApiKeyLimitsInput.$inferInput;

/** The input as the store's patch: only the fields the client sent, for `parseLimitsPatch` to check. */
export function toLimitsPatch(input: LimitsInput): KeyLimitsPatch {
  const patch: KeyLimitsPatch = {};
  if (input.budgetUsd !== undefined) patch.budgetUsd = input.budgetUsd;
  if (input.budgetPeriod !== undefined) patch.budgetPeriod = input.budgetPeriod ?? 'total';
  if (input.requestsPerMinute !== undefined) patch.requestsPerMinute = input.requestsPerMinute;
  if (input.tokensPerMinute !== undefined) patch.tokensPerMinute = input.tokensPerMinute;
  if (input.maxConcurrentRequests !== undefined) patch.maxConcurrentRequests = input.maxConcurrentRequests;
  if (input.allowedModels !== undefined) patch.allowedModels = input.allowedModels;
  return patch;
}
