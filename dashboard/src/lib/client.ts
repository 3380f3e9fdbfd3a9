import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';

/**
 * One GraphQL client per signed-in key: queries and mutations over HTTP, subscriptions over
 * graphql-ws on the same origin. `onUnauthorized` runs when the API stops accepting the key.
 */
export function createApiClient(key: string, onUnauthorized: () => void): { client: Client; close(): void } {
  const authorization = `Bearer ${key}`;
  const ws = createWsClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: { authorization },
    lazy: true,
    retryAttempts: 5,
    on: {
      closed: (event) => {
        if ((event as CloseEvent).code === 4401) onUnauthorized();
      },
    },
  });
  const client = new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization } }),
    exchanges: [
      mapExchange({
        onError: (error) => {
          if (error.response?.status === 401) onUnauthorized();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink),
          }),
        }),
      }),
    ],
  });
  return { client, close: () => void ws.dispose() };
}
