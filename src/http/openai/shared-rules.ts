import { z } from 'zod';
import { describeValidationIssues } from '../../core/completion-request.js';
import { GatewayError } from '../../core/gateway-error.js';

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

const paramOf = (issue: z.core.$ZodIssue): string | null => {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  return path.length > 0 ? path.join('.') : null;
};

const codeOf = (issue: z.core.$ZodIssue): string => {
  if (issue.code === 'unrecognized_keys') return 'unknown_parameter';
  const hinted: unknown = issue.code === 'custom' ? issue.params?.openaiCode : undefined;
  return typeof hinted === 'string' ? hinted : 'invalid_value';
};

/** 400 naming every offending field, the first as OpenAI's `param` (Chat Completions and Responses bodies). */
export function openAIValidationError(error: z.ZodError): GatewayError {
  const problems = describeValidationIssues(error);
  const [first] = error.issues;
  return new GatewayError('invalid_request', `invalid request: ${problems.join('; ')}`, {
    fields: problems,
    param: first ? paramOf(first) : null,
    openaiCode: first ? codeOf(first) : 'invalid_value',
  });
}
