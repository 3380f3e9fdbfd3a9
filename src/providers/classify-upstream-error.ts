import {
  APICallError,
  InvalidPromptError,
  JSONParseError,
  TypeValidationError,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import { UpstreamError } from '../core/upstream-error.js';
import { parseRetryAfter } from './parse-retry-after.js';
import { readErrorDetail, refineKind, type UpstreamErrorDetail } from './upstream-error-detail.js';
import { kindOfStatus } from './upstream-status-kind.js';

/** Where the failure happened: before the response stream opened, or while reading it. */
export type FailurePhase = 'request' | 'stream';

const maxMessageLength = 200;

/** Upstream messages are shown to clients: keep them short and on one line. */
const excerpt = (message: string | undefined): string =>
  message ? `: ${message.replace(/\s+/g, ' ').trim().slice(0, maxMessageLength)}` : '';

const timeoutCauses = new Set([
  'ConnectTimeoutError',
  'HeadersTimeoutError',
  'BodyTimeoutError',
  'TimeoutError',
]);

function fromStatus(
  status: number,
  detail: UpstreamErrorDetail,
  headers: Record<string, string> | undefined,
  now: number,
): UpstreamError {
  const { kind, retryable } = refineKind(kindOfStatus(status), detail);
  // An auth failure's message may quote (part of) the key: never pass it on.
  const message =
    kind === 'auth'
      ? `the upstream rejected the credentials (HTTP ${status})`
      : `the upstream answered HTTP ${status}${excerpt(detail.message)}`;
  return new UpstreamError({
    kind,
    status,
    message,
    retryAfterMs: parseRetryAfter(headers, now),
    ...(retryable === undefined ? {} : { retryable }),
  });
}

function fromApiCallError(error: APICallError, phase: FailurePhase, now: number): UpstreamError {
  const status = error.statusCode;
  if (status === undefined) {
    const cause = error.cause instanceof Error ? error.cause : undefined;
    if (cause && timeoutCauses.has(cause.name))
      return new UpstreamError({ kind: 'timeout', message: 'the upstream did not answer in time' });
    return new UpstreamError({
      kind: phase === 'stream' ? 'incomplete' : 'network',
      message: 'cannot connect to the upstream',
    });
  }
  if (status >= 200 && status < 300) {
    return new UpstreamError({
      kind: 'incomplete',
      status,
      message: 'the upstream answered with a body that is not a readable event stream',
    });
  }
  return fromStatus(status, readErrorDetail(error.data ?? error.responseBody), error.responseHeaders, now);
}

/** A non-2xx upstream answer: its status, its body (any provider's error shape) and headers. */
export function classifyHttpFailure(
  status: number,
  body: string,
  headers: Record<string, string> | undefined,
  now = Date.now(),
): UpstreamError {
  return fromStatus(status, readErrorDetail(body), headers, now);
}

/** An error object sent inside an event stream (OpenAI's `{error}` chunk, Anthropic's `error` event). */
export function fromStreamErrorObject(value: unknown): UpstreamError {
  const detail = readErrorDetail(value);
  const { kind, retryable } = refineKind('server_error', detail);
  return new UpstreamError({
    kind,
    message: `the upstream reported an error mid-stream${excerpt(kind === 'auth' ? undefined : detail.message)}`,
    ...(retryable === undefined ? {} : { retryable }),
  });
}

/**
 * Turns anything an upstream call threw or streamed into our typed error: its kind,
 * whether a retry may help, the HTTP status and the wait the upstream asked for.
 */
export function classifyUpstreamError(error: unknown, phase: FailurePhase, now = Date.now()): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (APICallError.isInstance(error)) return fromApiCallError(error, phase, now);
  if (JSONParseError.isInstance(error) || TypeValidationError.isInstance(error)) {
    return new UpstreamError({ kind: 'incomplete', message: 'the upstream sent a malformed stream chunk' });
  }
  if (InvalidPromptError.isInstance(error) || UnsupportedFunctionalityError.isInstance(error)) {
    return new UpstreamError({
      kind: 'bad_request',
      message: `the request cannot be sent to this model${excerpt(error.message)}`,
    });
  }
  if (!(error instanceof Error)) return fromStreamErrorObject(error);
  if (timeoutCauses.has(error.name))
    return new UpstreamError({ kind: 'timeout', message: 'the upstream did not answer in time' });
  return phase === 'stream'
    ? new UpstreamError({ kind: 'incomplete', message: 'the upstream connection was cut mid-stream' })
    : new UpstreamError({ kind: 'network', message: 'the upstream connection failed' });
}
