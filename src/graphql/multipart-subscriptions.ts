import type { ExecutionResult } from 'graphql';
import type { FetchAPI, Plugin } from 'graphql-yoga';

/** Apollo's multipart subscription protocol: every part is `{"payload": …}`, `{}` is a heartbeat. */
const boundary = 'graphql';
const contentType = `multipart/mixed; boundary="${boundary}"; subscriptionSpec="1.0"`;
/** Apollo Router's interval: often enough for proxies that drop a quiet connection. */
export const multipartHeartbeatMs = 5_000;

const acceptsMultipart = (accept: string | null): boolean =>
  (accept ?? '').split(',').some((range) => range.trim().toLowerCase().startsWith('multipart/mixed'));

const isAsyncIterable = (value: unknown): value is AsyncIterable<ExecutionResult> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/** An error as the client may see it: no `extensions.http` or other server internals. */
function errorForWire(error: unknown): unknown {
  const json =
    typeof error === 'object' && error !== null && 'toJSON' in error && typeof error.toJSON === 'function'
      ? (error.toJSON() as Record<string, unknown>)
      : { message: error instanceof Error ? error.message : String(error) };
  const {
    http: _http,
    unexpected: _unexpected,
    ...extensions
  } = (json.extensions ?? {}) as Record<string, unknown>;
  return { ...json, extensions: Object.keys(extensions).length > 0 ? extensions : undefined };
}

const resultForWire = (result: ExecutionResult) =>
  result.errors ? { ...result, errors: result.errors.map(errorForWire) } : result;

const part = (body: unknown) =>
  `\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${JSON.stringify(body)}\r\n--${boundary}`;

/** The subscription's results as one multipart body, each part closed by the next boundary. */
function processMultipartSubscription(result: unknown, fetchAPI: FetchAPI): Response {
  const iterator = (result as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
  const encoder = new fetchAPI.TextEncoder();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const stream = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\r\n--${boundary}`));
      heartbeat = setInterval(() => controller.enqueue(encoder.encode(part({}))), multipartHeartbeatMs);
    },
    async pull(controller) {
      let next: IteratorResult<ExecutionResult>;
      try {
        next = await iterator.next();
      } catch {
        // Results carry their own (masked) errors; a throw here is the transport failing.
        next = { done: true, value: undefined };
        controller.enqueue(
          encoder.encode(part({ payload: null, errors: [{ message: 'the subscription failed' }] })),
        );
      }
      if (next.done) {
        clearInterval(heartbeat);
        controller.enqueue(encoder.encode('--\r\n'));
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(part({ payload: resultForWire(next.value) })));
    },
    async cancel() {
      clearInterval(heartbeat);
      await iterator.return?.();
    },
  });
  return new fetchAPI.Response(stream, {
    status: 200,
    headers: { 'content-type': contentType, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
  });
}

/**
 * Subscriptions over HTTP multipart, as Apollo Client's HttpLink asks for them
 * (`Accept: multipart/mixed;subscriptionSpec=1.0, application/json`). Yoga's own multipart
 * answer is for incremental delivery and it refuses subscriptions there (406), so a
 * subscription that no other processor took (SSE wins when both are accepted) gets this one.
 * Answers that are not a stream (validation errors…) stay plain JSON, which Apollo reads too.
 */
export function useMultipartSubscriptions(): Plugin {
  return {
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      if (resultProcessor || !isAsyncIterable(result)) return;
      if (!acceptsMultipart(request.headers.get('accept'))) return;
      setResultProcessor(processMultipartSubscription, 'multipart/mixed');
    },
  };
}
