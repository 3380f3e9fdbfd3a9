import type { Plugin } from 'graphql-yoga';

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * A 406 that says what to ask for, instead of Yoga's empty one. Most often a subscription
 * sent with only `Accept: application/json`; it was already started, so it is stopped here.
 * Must come after every plugin that picks a result processor.
 */
export function useNotAcceptableBody(): Plugin {
  return {
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      if (resultProcessor) return;
      const accept = request.headers.get('accept') ?? '';
      const streaming = isAsyncIterable(result);
      if (streaming) void result[Symbol.asyncIterator]().return?.();
      const message = streaming
        ? `a subscription needs "Accept: text/event-stream" (GraphQL over SSE) or "multipart/mixed" (HTTP multipart), or a WebSocket (graphql-transport-ws); got "${accept}"`
        : `the answer can be sent as application/graphql-response+json or application/json; got "Accept: ${accept}"`;
      setResultProcessor(
        (_result, fetchAPI) =>
          new fetchAPI.Response(
            JSON.stringify({ errors: [{ message, extensions: { code: 'NOT_ACCEPTABLE' } }] }),
            {
              status: 406,
              headers: { 'content-type': 'application/json; charset=utf-8' },
            },
          ),
        'application/json',
      );
    },
  };
}
