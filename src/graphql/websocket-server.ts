import type { Server } from 'node:http';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { bearerTokenOf } from '../auth/bearer-token.js';
import type { Principal } from '../auth/principal.js';
import type { Clock } from '../routing/clock.js';
import type { ApiKeyStore } from '../store/api-key-store.js';
import type { GraphQLServer } from './create-yoga.js';

/** graphql-ws close code for a connection without a valid key (its "Unauthorized"). */
export const unauthenticatedCloseCode = 4401;
const unauthenticatedReason = 'UNAUTHENTICATED: send connectionParams.authorization "Bearer <key>"';

type Enveloped = ReturnType<GraphQLServer['getEnveloped']>;
/** What onSubscribe hands execute/subscribe: the envelop of that one operation. */
interface EnvelopedRoot {
  execute: Enveloped['execute'];
  subscribe: Enveloped['subscribe'];
}

function envelopedRootOf(args: ExecutionArgs): EnvelopedRoot {
  const root: unknown = args.rootValue;
  if (typeof root === 'object' && root !== null && 'execute' in root && 'subscribe' in root) {
    // onSubscribe below is the only place that builds this root.
    return root as EnvelopedRoot;
  }
  throw new Error('a WebSocket operation reached execution without its envelop');
}

/**
 * A syntax error, or a document over the armor limits (their validation rules throw).
 * Re-created here because a plugin's GraphQLError may come from another copy of graphql.
 */
const documentRejected = (error: unknown): GraphQLError =>
  new GraphQLError(error instanceof Error ? error.message : 'the document was rejected', {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  });

interface SocketExtra extends Record<PropertyKey, unknown> {
  principal: Principal;
}

export interface GraphQLWebSocketOptions {
  server: Server;
  yoga: GraphQLServer;
  apiKeys: ApiKeyStore;
  clock: Clock;
  /** False while shutting down: new operations are refused. */
  isAccepting(): boolean;
}

export interface GraphQLWebSocket {
  /** Resolves once no subscription is running, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  /** Closes every socket (1001 Going away), which ends their subscriptions and cancels upstream calls. */
  close(): Promise<void>;
}

/**
 * GraphQL over WebSocket (graphql-transport-ws) on `/graphql` of the HTTP server. Each
 * operation goes through `yoga.getEnveloped`, so it gets the same plugins (masking,
 * limits) and context as over HTTP.
 */
export function attachGraphQLWebSocket(options: GraphQLWebSocketOptions): GraphQLWebSocket {
  const { yoga, apiKeys, clock } = options;
  const wss = new WebSocketServer({ server: options.server, path: '/graphql' });
  const connections = new Set<Context<Record<string, unknown>, { principal?: Principal }>>();

  const disposable = useServer<Record<string, unknown>, SocketExtra>(
    {
      execute: (args) => envelopedRootOf(args).execute(args),
      subscribe: (args) => envelopedRootOf(args).subscribe(args),
      onConnect: async (ctx) => {
        const token = bearerTokenOf(
          typeof ctx.connectionParams?.authorization === 'string'
            ? ctx.connectionParams.authorization
            : undefined,
        );
        const principal = token ? await apiKeys.authenticate(token) : undefined;
        if (!principal) {
          // Close with our own code and reason; returning false alone would say only "Forbidden".
          ctx.extra.socket.close(unauthenticatedCloseCode, unauthenticatedReason);
          return false;
        }
        ctx.extra.principal = principal;
        connections.add(ctx);
        return true;
      },
      onClose: (ctx) => {
        connections.delete(ctx);
      },
      onSubscribe: async (ctx, _id, payload) => {
        const { principal } = ctx.extra;
        if (!principal)
          return [new GraphQLError('not authenticated', { extensions: { code: 'UNAUTHENTICATED' } })];
        if (!options.isAccepting()) {
          return [new GraphQLError('the server is shutting down', { extensions: { code: 'UNAVAILABLE' } })];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          principal,
          startedAt: clock.now(),
          params: payload,
        });
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
        } catch (error) {
          return [documentRejected(error)];
        }
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        return args;
      },
    },
    wss,
  );

  const running = () => [...connections].some((ctx) => Object.keys(ctx.subscriptions).length > 0);

  return {
    async drain(timeoutMs) {
      const deadline = clock.now() + timeoutMs;
      while (running() && clock.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    },
    async close() {
      await disposable.dispose();
    },
  };
}
