import type { Client } from 'graphql-ws';
import type { GraphQLBody } from './graphql.js';
import { createWsClient } from './graphql.js';

/** Everything one graphql-ws subscription delivered, with a way to wait for more. */
export interface CollectedSubscription<T> {
  readonly results: GraphQLBody<T>[];
  /** Set once the server completed it (or it failed). */
  readonly ended: Promise<'complete' | 'error'>;
  /** Waits until a result satisfies `match` (within `timeoutMs`) and returns it. */
  waitFor(match: (result: GraphQLBody<T>) => boolean, timeoutMs?: number): Promise<GraphQLBody<T>>;
  close(): Promise<void>;
}

/** Subscribes over graphql-ws with the given key and collects every result. */
export function collectSubscription<T = Record<string, unknown>>(
  url: string,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): CollectedSubscription<T> {
  const client: Client = createWsClient(url, { authorization: `Bearer ${key}` });
  const results: GraphQLBody<T>[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  const ended = new Promise<'complete' | 'error'>((resolve) => {
    client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          results.push(result as GraphQLBody<T>);
          notify();
        },
        error: (error) => {
          results.push({ errors: [{ message: String((error as Error).message ?? error) }] });
          notify();
          resolve('error');
        },
        complete: () => {
          notify();
          resolve('complete');
        },
      },
    );
  });
  return {
    results,
    ended,
    waitFor(match, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = results.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching result within ${timeoutMs} ms; got ${JSON.stringify(results)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      await client.dispose();
    },
  };
}
