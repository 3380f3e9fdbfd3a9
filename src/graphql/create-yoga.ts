import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Principal } from '../auth/principal.js';
import type { Database } from '../db/database.js';
import type { GraphQLContext } from './context.js';
import { schema } from './schema/index.js';

/** What the HTTP layer hands Yoga with each request. */
export interface GraphQLServerContext {
  principal: Principal;
}

export function createGraphQLServer(options: {
  database: Database;
  graphiql: boolean;
}): YogaServerInstance<GraphQLServerContext, GraphQLContext> {
  return createYoga<GraphQLServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // GraphiQL's assets are served from this package, not from a CDN.
    graphiql: options.graphiql ? { title: 'Switchyard GraphiQL' } : false,
    renderGraphiQL,
    landingPage: false,
    logging: false,
    maskedErrors: true,
    context: ({ principal }) => ({ principal, database: options.database }),
  });
}
