import { z } from 'zod';

/** A field path, as zod reports it. */
export type IssuePath = PropertyKey[];

/** Where an issue of the shared rules lies in OpenAI's body: `toolChoice.name` → `tool_choice.function.name`… */
export type PathRenamer = (path: IssuePath) => IssuePath;

const withPath = (issue: z.core.$ZodIssue, rename: PathRenamer) =>
  ({ ...issue, path: rename(issue.path) }) as z.core.$ZodSuperRefineIssue;

/**
 * A transform that checks a value, already reshaped to our names, by one of the shared
 * field schemas (`completionFieldSchemas`), so every surface keeps the same rules; its
 * issues are reported at the OpenAI path of the offending field.
 */
export const checkedBy =
  <T>(rule: z.ZodType<T>, rename: PathRenamer = (path) => path) =>
  (value: unknown, ctx: z.core.$RefinementCtx): T => {
    const result = rule.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue(withPath(issue, rename));
    return z.NEVER;
  };

/** A refinement context that reports the issues of a shared cross-field check at OpenAI's paths. */
export function renamingContext<T>(ctx: z.core.$RefinementCtx<T>, rename: PathRenamer): z.RefinementCtx<T> {
  return {
    ...ctx,
    addIssue: (issue) => {
      if (typeof issue === 'string') ctx.addIssue(issue);
      else ctx.addIssue({ ...issue, path: rename(issue.path ?? []) } as z.core.$ZodSuperRefineIssue);
    },
  };
}

/** Drops the keys whose value is `null`: OpenAI accepts `null` for every optional field, the shared rules do not. */
export const withoutNulls = (value: unknown): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null))
    : value;
