import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga, maskError, type YogaServerInstance } from 'graphql-yoga';
import type { Principal } from '../auth/principal.js';
import { GatewayError } from '../core/gateway-error.js';
import { useBodyLimit } from './body-limit.js';
import type { GraphQLContext, GraphQLServices } from './context.js';
import { gatewayErrorToGraphQL } from './graphql-errors.js';
import { useMultipartSubscriptions } from './multipart-subscriptions.js';
import { useNestingLimits } from './nesting-limits.js';
import { useNotAcceptableBody } from './not-acceptable.js';
import { schema } from './schema/index.js';

/** What the transport (HTTP handler or WebSocket server) hands Yoga with each operation. */
export interface GraphQLServerContext {
  principal: Principal;
  /** `clock.now()` when the operation arrived. */
  startedAt: number;
}

export type GraphQLServer = YogaServerInstance<GraphQLServerContext, GraphQLContext>;

const originalErrorOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'originalError' in error ? error.originalError : error;

/**
 * Expected failures (GatewayError) reach the client with their message and
 * `extensions.code`; anything else is masked as "Unexpected error." with no stack.
 */
function maskGraphQLError(error: unknown, message: string): Error {
  const original = originalErrorOf(error);
  if (original instanceof GatewayError && original.code !== 'internal_error') {
    return gatewayErrorToGraphQL(original, error);
  }
  return maskError(error, message, false);
}

export function createGraphQLServer(options: {
  services: GraphQLServices;
  graphiql: boolean;
  /** The largest request body, `limits.maxBodyBytes`, as for REST. */
  maxBodyBytes: number;
}): GraphQLServer {
  const { services } = options;
  return createYoga<GraphQLServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // GraphiQL's assets are served from this package, not from a CDN.
    graphiql: options.graphiql ? { title: 'Switchyard GraphiQL' } : false,
    // Its bundled page weighs ~40 MB in memory: loaded on the first visit, never in production.
    renderGraphiQL: async (graphiql) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiql),
    landingPage: false,
    // Yoga's own CORS would echo any Origin (with credentials); src/http/cors.ts decides, for every surface.
    cors: false,
    logging: false,
    maskedErrors: { maskError: maskGraphQLError },
    plugins: [
      // Browsers' "simple" requests (GET, form posts) must carry a custom header: no cross-site forgery.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'graphql-preflight'] }),
      useBodyLimit(options.maxBodyBytes),
      EnvelopArmorPlugin({
        maxDepth: { n: 10 },
        maxAliases: { n: 15 },
        costLimit: { maxCost: 5000 },
        maxTokens: { n: 2000 },
        maxDirectives: { n: 20 },
      }),
      // After the armor: it wraps the armor's token-counting parser, so it scans first.
      useNestingLimits(),
      // Apollo Client's HttpLink subscribes over HTTP multipart.
      useMultipartSubscriptions(),
      // Last: it answers what no processor above could.
      useNotAcceptableBody(),
    ],
    context: (initial): GraphQLContext => ({
      ...services,
      principal: initial.principal,
      startedAt: initial.startedAt,
      // Aborted by the HTTP layer when the client goes away; absent on WebSocket.
      signal: initial.request?.signal,
    }),
  });
}
