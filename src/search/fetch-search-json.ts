import type { z } from 'zod';
import { SearchError } from './search-error.js';

export interface SearchHttpRequest {
  /** `searxng`, `tavily`…, named in error messages. */
  backend: string;
  url: string;
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string };
  signal: AbortSignal;
  timeoutMs: number;
  fetch: typeof globalThis.fetch;
}

/** What an HTTP status means for the operator, without repeating the upstream's body. */
function describeStatus(backend: string, status: number): string {
  if (status === 401 || status === 403)
    return `the ${backend} search backend refused the request (HTTP ${status}): check its key${
      backend === 'searxng' ? ' and that "json" is among its search.formats' : ''
    }`;
  if (status === 429) return `the ${backend} search backend is rate limiting us (HTTP 429)`;
  return `the ${backend} search backend answered HTTP ${status}`;
}

/**
 * One search call: bounded by the backend's timeout and the request's signal, the body
 * parsed as JSON and checked against `schema`. Every failure becomes a SearchError.
 */
export async function fetchSearchJson<T>(request: SearchHttpRequest, schema: z.ZodType<T>): Promise<T> {
  const { backend, timeoutMs } = request;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout]);
  const failure = (error: unknown): SearchError => {
    if (error instanceof SearchError) return error;
    if (request.signal.aborted)
      return new SearchError({ kind: 'aborted', message: 'the request was cancelled during the search' });
    if (timeout.aborted)
      return new SearchError({
        kind: 'timeout',
        message: `the ${backend} search backend did not answer within ${timeoutMs} ms`,
      });
    return new SearchError({
      kind: 'network',
      message: `the ${backend} search backend could not be reached`,
    });
  };
  let text: string;
  try {
    const response = await request.fetch(request.url, { ...request.init, signal });
    if (!response.ok) {
      // Free the connection; the body may be large and we do not show it.
      await response.body?.cancel().catch(() => {});
      throw new SearchError({
        kind: 'http',
        status: response.status,
        message: describeStatus(backend, response.status),
      });
    }
    text = await response.text();
  } catch (error) {
    throw failure(error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SearchError({
      kind: 'invalid_response',
      message: `the ${backend} search backend did not answer JSON`,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') || '(root)';
    throw new SearchError({
      kind: 'invalid_response',
      message: `the ${backend} search backend answered in an unexpected shape (at ${where})`,
    });
  }
  return parsed.data;
}
