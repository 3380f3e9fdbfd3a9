import { z } from 'zod';

export const budgetPeriods = ['total', 'daily', 'monthly'] as const;
/** `total`: one budget for the key's lifetime; `daily`/`monthly`: reset at 00:00 UTC each day / on the 1st. */
export type BudgetPeriod = (typeof budgetPeriods)[number];

/** A key's limits as enforced on each request; an undefined limit is not enforced. */
export interface KeyLimits {
  /** Dollars, as an exact decimal string (NUMERIC). */
  budgetUsd: string | undefined;
  budgetPeriod: BudgetPeriod;
  requestsPerMinute: number | undefined;
  tokensPerMinute: number | undefined;
  maxConcurrentRequests: number | undefined;
  /** `provider` or `provider/model` entries; undefined allows every model. */
  allowedModels: string[] | undefined;
}

export const noLimits: KeyLimits = {
  budgetUsd: undefined,
  budgetPeriod: 'total',
  requestsPerMinute: undefined,
  tokensPerMinute: undefined,
  maxConcurrentRequests: undefined,
  allowedModels: undefined,
};

/** A budget in dollars: a non-negative decimal with at most 12 places (the column's scale). */
const dollarsSchema = z
  .union([z.number(), z.string()])
  .transform((value) => String(value).trim())
  .refine((value) => /^\d{1,12}(\.\d{1,12})?$/.test(value), 'must be a dollar amount like 10 or 2.50');

const positiveInt = z.int('must be a whole number').min(1, 'must be at least 1').max(2_000_000_000);
const allowEntry = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*(\/\S+)?$/, 'must be "provider" or "provider/model"');

/**
 * A change to a key's limits, shared by the CLI, the store and GraphQL: an absent field is
 * left as it is, `null` removes that limit.
 */
export const keyLimitsPatchSchema = z.strictObject({
  budgetUsd: dollarsSchema.nullable().optional(),
  budgetPeriod: z.enum(budgetPeriods).optional(),
  requestsPerMinute: positiveInt.nullable().optional(),
  tokensPerMinute: positiveInt.nullable().optional(),
  maxConcurrentRequests: positiveInt.nullable().optional(),
  allowedModels: z.array(allowEntry).min(1, 'must name at least one model or provider').nullable().optional(),
});
export type KeyLimitsPatch = z.input<typeof keyLimitsPatchSchema>;
export type ParsedKeyLimitsPatch = z.output<typeof keyLimitsPatchSchema>;

/** True when any limit is set, so that requests of unlimited keys skip all limit work. */
export const hasAnyLimit = (limits: KeyLimits): boolean =>
  limits.budgetUsd !== undefined ||
  limits.requestsPerMinute !== undefined ||
  limits.tokensPerMinute !== undefined ||
  limits.maxConcurrentRequests !== undefined ||
  limits.allowedModels !== undefined;
