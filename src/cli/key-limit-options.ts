import type { KeyLimitsPatch } from '../limits/key-limits.js';

/** The CLI's limit options, as `parseArgs` declares them. */
export const limitOptions = {
  budget: { type: 'string' },
  period: { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  concurrency: { type: 'string' },
  models: { type: 'string' },
} as const;

export type LimitOptionValues = Partial<Record<keyof typeof limitOptions, string>>;

/** Thrown for a command line that cannot be understood; the CLI prints it with the usage. */
export class UsageError extends Error {}

/** `none` clears a limit; anything else must be a whole number (checked again by the store). */
function integerOption(name: string, value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  if (!/^\d+$/.test(value))
    throw new UsageError(`--${name}: must be a whole number or "none", got "${value}"`);
  return Number(value);
}

/** The limits named on the command line, as a patch (absent options are left out). */
export function limitsPatchOf(values: LimitOptionValues): KeyLimitsPatch {
  const patch: KeyLimitsPatch = {};
  if (values.budget !== undefined)
    patch.budgetUsd = values.budget === 'none' ? null : values.budget.replace(/^\$/, '');
  if (values.period !== undefined) {
    if (values.period !== 'total' && values.period !== 'daily' && values.period !== 'monthly')
      throw new UsageError(`--period: must be total, daily or monthly, got "${values.period}"`);
    patch.budgetPeriod = values.period;
  }
  const rpm = integerOption('rpm', values.rpm);
  if (rpm !== undefined) patch.requestsPerMinute = rpm;
  const tpm = integerOption('tpm', values.tpm);
  if (tpm !== undefined) patch.tokensPerMinute = tpm;
  const concurrency = integerOption('concurrency', values.concurrency);
  if (concurrency !== undefined) patch.maxConcurrentRequests = concurrency;
  if (values.models !== undefined) {
    patch.allowedModels =
      values.models === 'none'
        ? null
        : values.models
            .split(',')
            .map((entry) => entry.trim())
            .filter((entry) => entry.length > 0);
  }
  return patch;
}
