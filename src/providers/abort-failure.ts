import { UpstreamError } from '../core/upstream-error.js';

/**
 * The failure to report when the caller aborted an upstream call: the router aborts with a
 * typed reason (timeout, stall, client gone); anything else is a request cut short.
 */
export function abortFailure(signal: AbortSignal): UpstreamError | undefined {
  if (!signal.aborted) return undefined;
  const reason: unknown = signal.reason;
  return reason instanceof UpstreamError
    ? reason
    : new UpstreamError({ kind: 'timeout', message: 'the upstream request was aborted before it finished' });
}
