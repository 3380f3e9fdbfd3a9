import { type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import type { GraphQLServer, GraphQLServerContext } from './create-yoga.js';

type Enveloped = ReturnType<GraphQLServer['getEnveloped']>;

/** What execute/subscribe get through `rootValue`: the envelop of that one operation. */
interface EnvelopedRoot {
  execute: Enveloped['execute'];
  subscribe: Enveloped['subscribe'];
}

function envelopedRootOf(args: ExecutionArgs): EnvelopedRoot {
  const root: unknown = args.rootValue;
  if (typeof root === 'object' && root !== null && 'execute' in root && 'subscribe' in root) {
    // prepareEnvelopedOperation below is the only place that builds this root.
    return root as EnvelopedRoot;
  }
  throw new Error('an operation reached execution without its envelop');
}

/** Runs a query or mutation prepared by prepareEnvelopedOperation with its envelop's plugins. */
export const executeEnveloped = (args: ExecutionArgs) => envelopedRootOf(args).execute(args);
/** Runs a subscription prepared by prepareEnvelopedOperation with its envelop's plugins. */
export const subscribeEnveloped = (args: ExecutionArgs) => envelopedRootOf(args).subscribe(args);

/**
 * A syntax error, or a document over the armor or nesting limits (their rules throw).
 * Re-created here because a plugin's GraphQLError may come from another copy of graphql.
 */
const documentRejected = (error: unknown): GraphQLError =>
  new GraphQLError(error instanceof Error ? error.message : 'the document was rejected', {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  });

/**
 * An error without what only Yoga's HTTP answer reads (`extensions.http`: status and
 * headers), which Yoga strips there and other transports must strip themselves.
 */
export function withoutHttpExtension(error: GraphQLError): GraphQLError {
  if (!error.extensions || !('http' in error.extensions)) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}

/** A result as a WebSocket or SSE client gets it: see withoutHttpExtension. */
export const resultForClient = <T extends Pick<ExecutionResult, 'errors'>>(result: T): T =>
  result.errors ? { ...result, errors: result.errors.map(withoutHttpExtension) } : result;

/** One operation as a transport other than Yoga's own HTTP handler receives it. */
export interface OperationParams {
  query?: unknown;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
}

/**
 * Parses and validates one operation through `yoga.getEnveloped`, so that WebSocket and
 * single-connection SSE operations get the same plugins (limits, masking) and context as
 * HTTP. Returns the arguments for executeEnveloped/subscribeEnveloped, or the errors that
 * refuse the operation.
 */
export async function prepareEnvelopedOperation(
  yoga: GraphQLServer,
  serverContext: GraphQLServerContext,
  params: OperationParams,
): Promise<ExecutionArgs | GraphQLError[]> {
  if (typeof params.query !== 'string') {
    return [new GraphQLError('"query" must be a string', { extensions: { code: 'BAD_REQUEST' } })];
  }
  const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
    ...serverContext,
    params: { ...params, query: params.query },
  });
  let document: ReturnType<typeof parse>;
  try {
    document = parse(params.query);
    const errors = validate(schema, document);
    if (errors.length > 0) return errors.map(withoutHttpExtension);
  } catch (error) {
    return [documentRejected(error)];
  }
  return {
    schema,
    operationName: params.operationName,
    document,
    variableValues: params.variables,
    contextValue: await contextFactory(),
    rootValue: { execute, subscribe } satisfies EnvelopedRoot,
  };
}
