import { z } from 'zod';

/** Where the value came from, and how to show it. */
export interface IssueSource {
  /** What the line starts with: `switchyard.config.yaml: `, or nothing for environment variables. */
  prefix: string;
  /** The raw input that was parsed, to show what was received. */
  input: unknown;
  /** The schema it was parsed with, to list the keys an object allows. */
  schema: z.ZodType;
  /** Values at these paths are shown redacted. */
  isSecret?: (path: readonly PropertyKey[]) => boolean;
}

/** Variables whose values must never be printed: API keys, secrets, tokens, passwords. */
export const isSecretName = (name: string): boolean => /KEY|SECRET|TOKEN|PASSWORD/i.test(name);

/** `providers[0].kind`; `(top level)` for the root. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

const valueAt = (input: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    input,
  );

/** A URL's password replaced by `***`, so that a DATABASE_URL can be shown. */
function withoutPassword(text: string): string {
  if (!URL.canParse(text)) return text;
  const url = new URL(text);
  if (url.password === '') return text;
  url.password = '***';
  return url.toString();
}

/** A received value as the operator will recognise it, never a secret. */
export function showValue(value: unknown, secret = false): string {
  if (value === undefined) return 'nothing';
  if (secret) {
    const length = typeof value === 'string' ? value.length : String(value).length;
    return `a secret value of ${length} characters (not shown)`;
  }
  if (typeof value === 'string') {
    const shown = withoutPassword(value);
    return JSON.stringify(shown.length > 80 ? `${shown.slice(0, 77)}...` : shown);
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

const typeNames: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object (a mapping of keys)',
  array: 'a list',
};

const quoteList = (values: readonly unknown[]) => values.map((value) => String(value)).join(', ');

/** The keys of the object schema found at `path` of `schema`, through lists, defaults and pipes. */
export function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let current: z.ZodType | undefined = schema;
  const unwrap = () => {
    for (;;) {
      if (
        current instanceof z.ZodDefault ||
        current instanceof z.ZodOptional ||
        current instanceof z.ZodNullable
      ) {
        current = current.unwrap() as z.ZodType;
      } else if (current instanceof z.ZodPipe) {
        current = current.in as z.ZodType;
      } else return;
    }
  };
  for (const key of path) {
    unwrap();
    if (current instanceof z.ZodArray && typeof key === 'number') current = current.element as z.ZodType;
    else if (current instanceof z.ZodObject && typeof key === 'string')
      current = (current.shape as Record<string, z.ZodType>)[key];
    else return undefined;
  }
  unwrap();
  return current instanceof z.ZodObject ? Object.keys(current.shape) : undefined;
}

/** The allowed key closest to a misspelt one, if it is close enough to be a typo. */
function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = above;
      }
    }
    return row[b.length]!;
  };
  const [best] = allowed
    .map((candidate) => ({ candidate, d: distance(key.toLowerCase(), candidate.toLowerCase()) }))
    .sort((x, y) => x.d - y.d);
  return best && best.d <= Math.max(1, Math.floor(key.length / 4)) ? best.candidate : undefined;
}

/** What the schema allows, said about the received value; `shown` is that value as printed. */
function describeProblem(issue: z.core.$ZodIssue, value: unknown, shown: string): string {
  const missing = value === undefined;
  switch (issue.code) {
    case 'invalid_value':
      return missing
        ? `is missing; allowed: ${quoteList(issue.values)}`
        : issue.values.length === 1
          ? `${shown} is not ${String(issue.values[0])}`
          : `${shown} is not one of ${quoteList(issue.values)}`;
    case 'invalid_type': {
      const expected = typeNames[issue.expected] ?? issue.expected;
      if (missing) return `is missing; expected ${expected}`;
      // A number given where an integer is wanted.
      if (issue.expected === 'int' && typeof value === 'number') return `${shown} is not an integer`;
      return `${shown} is not ${expected}`;
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const limit = small ? issue.minimum : issue.maximum;
      const bound = small
        ? issue.inclusive
          ? 'at least'
          : 'greater than'
        : issue.inclusive
          ? 'at most'
          : 'less than';
      if (issue.origin === 'string')
        return `${shown} is too ${small ? 'short' : 'long'}: must be ${bound} ${limit} characters`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `${shown} has too ${small ? 'few' : 'many'} items: must have ${bound} ${limit}`;
      return `${shown} is out of range: must be ${bound} ${String(limit)}`;
    }
    case 'invalid_format':
      if (issue.format === 'url') return `${shown} is not an http(s) URL`;
      // Our patterns carry their own "must …" message; zod's default starts with "Invalid".
      if (!issue.message.startsWith('Invalid')) return `${shown} ${issue.message}`;
      return `${shown} is not a valid ${issue.format}${issue.pattern ? ` (expected ${issue.pattern})` : ''}`;
    case 'custom':
      return missing ? issue.message : `${shown} ${issue.message}`;
    default:
      return `${shown}: ${issue.message}`;
  }
}

/**
 * One zod issue as lines for the operator, each saying where (file and key path, or the
 * variable), what was received and what is allowed:
 * `switchyard.config.yaml: providers[0].kind: "bogus" is not one of openai, anthropic, …`.
 * An unknown key gets a line of its own.
 */
export function describeConfigIssue(issue: z.core.$ZodIssue, source: IssueSource): string[] {
  const { prefix, input, schema } = source;
  if (issue.code === 'unrecognized_keys') {
    const allowed = objectKeysAt(schema, issue.path) ?? [];
    return issue.keys.map((key) => {
      const guess = closestKey(key, allowed);
      const hint = guess ? ` (did you mean "${guess}"?)` : '';
      return `${prefix}${formatPath(issue.path)}: "${key}" is not one of the keys ${quoteList(allowed)}${hint}`;
    });
  }
  const value = valueAt(input, issue.path);
  const shown = showValue(value, source.isSecret?.(issue.path) ?? false);
  return [`${prefix}${formatPath(issue.path)}: ${describeProblem(issue, value, shown)}`];
}
