import type { Server } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { bearerTokenOf } from '../auth/bearer-token.js';
import type { Principal } from '../auth/principal.js';
import type { Clock } from '../routing/clock.js';
import type { ApiKeyStore } from '../store/api-key-store.js';
import type { GraphQLServer } from './create-yoga.js';
import {
  executeEnveloped,
  prepareEnvelopedOperation,
  resultForClient,
  subscribeEnveloped,
} from './enveloped-operation.js';

/** graphql-ws close code for a connection without a valid key (its "Unauthorized"). */
export const unauthenticatedCloseCode = 4401;
const unauthenticatedReason = 'UNAUTHENTICATED: send connectionParams.authorization "Bearer <key>"';

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
      execute: executeEnveloped,
      subscribe: subscribeEnveloped,
      onNext: (_ctx, _id, _payload, _args, result) => resultForClient(result),
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
        return prepareEnvelopedOperation(yoga, { principal, startedAt: clock.now() }, payload);
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
