import { GraphQLError, Source } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * How deep a document may nest braces, brackets and parentheses, selections included.
 * graphql-js parses recursively and overflows the stack somewhere past a thousand levels
 * (a RangeError, which Yoga can only answer as a 500); real operations stay under 20.
 */
export const maxDocumentNesting = 128;
/**
 * How deep a value may nest lists and input objects: an argument literal, a default or a
 * variable. Room for a JSON scalar's own limit (a tool's schema, 64 levels) inside an input.
 */
export const maxValueNesting = 100;

// A document the parser refuses is a request error (400, or 200 for application/json, as the
// GraphQL-over-HTTP spec says); variables that cannot be coerced are a 400, as graphql-js's own.
const unparsable = { spec: true, status: 400 };
const uncoercible = { status: 400 };

/** What is nested too deeply, and the offset of the bracket that passed the limit. */
export interface NestingProblem {
  message: string;
  position: number;
}

/**
 * The first nesting problem of a GraphQL document, found by one linear scan of its text
 * before the recursive parser sees it. Strings, block strings and comments are skipped;
 * anything else malformed is left for the parser to name.
 */
export function documentNestingProblem(source: string): NestingProblem | undefined {
  // The open brackets, innermost last; a `(` starts arguments or variable definitions.
  const open: string[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    if (char === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
      continue;
    }
    if (char === '"') {
      i = skipString(source, i);
      continue;
    }
    if (char === '{' || char === '[' || char === '(') {
      open.push(char);
      if (open.length > maxDocumentNesting) {
        const message = `the document nests braces, brackets and parentheses more than ${maxDocumentNesting} levels deep`;
        return { message, position: i };
      }
      const argumentsAt = open.lastIndexOf('(');
      if (char !== '(' && argumentsAt >= 0) {
        if (open.length - argumentsAt - 1 > maxValueNesting) {
          const message = `an argument or default value nests lists and objects more than ${maxValueNesting} levels deep`;
          return { message, position: i };
        }
      }
    } else if (char === '}' || char === ']' || char === ')') {
      open.pop();
    }
    i++;
  }
  return undefined;
}

/** The index just past the string that starts at `start` (or the end of an unterminated one). */
function skipString(source: string, start: number): number {
  if (source.startsWith('"""', start)) {
    let i = start + 3;
    while (i < source.length) {
      if (source.startsWith('\\"""', i)) i += 4;
      else if (source.startsWith('"""', i)) return i + 3;
      else i++;
    }
    return i;
  }
  let i = start + 1;
  while (i < source.length) {
    const char = source[i];
    if (char === '\\') i += 2;
    else if (char === '"' || char === '\n' || char === '\r') return i + 1;
    else i++;
  }
  return i;
}

/** How deeply `value` nests arrays and objects, counted without recursion (JSON.parse builds any depth). */
export function valueNesting(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > deepest) deepest = depth;
    // Past the limit the answer is known: stop before walking the rest.
    if (deepest > limit) return deepest;
    for (const child of Object.values(next.value)) stack.push({ value: child, depth });
  }
  return deepest;
}

/** The variables nested too deeply, each as a client-facing problem. */
export function variableNestingProblems(variables: unknown): string[] {
  if (typeof variables !== 'object' || variables === null) return [];
  return Object.entries(variables)
    .filter(([, value]) => valueNesting(value, maxValueNesting) > maxValueNesting)
    .map(([name]) => `Variable "$${name}" nests lists and objects more than ${maxValueNesting} levels deep`);
}

/**
 * Rejects documents and variables nested too deeply, before graphql-js recurses into them:
 * a document at parse (so the error is a syntax error, code GRAPHQL_PARSE_FAILED), variables
 * before execution (BAD_USER_INPUT), with HTTP 400 where the GraphQL-over-HTTP spec allows it.
 * Runs on every transport, since each goes through the envelop.
 */
export function useNestingLimits(): Plugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        const document = typeof source === 'string' ? new Source(source) : source;
        const problem = documentNestingProblem(document.body);
        if (problem) {
          throw new GraphQLError(`Syntax Error: ${problem.message}.`, {
            source: document,
            positions: [problem.position],
            extensions: { code: 'GRAPHQL_PARSE_FAILED', http: unparsable },
          });
        }
        return parseFn(source, options);
      });
    },
    onExecute({ args, setResultAndStopExecution }) {
      const problems = variableNestingProblems(args.variableValues);
      if (problems.length > 0) setResultAndStopExecution({ errors: problems.map(badUserInput) });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problems = variableNestingProblems(args.variableValues);
      if (problems.length > 0) setResultAndStopExecution({ errors: problems.map(badUserInput) });
    },
  };
}

const badUserInput = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: uncoercible } });
