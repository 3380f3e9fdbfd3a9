import type { UpstreamErrorKind } from '../core/upstream-error.js';

/**
 * The one place where an upstream HTTP status becomes an error kind. 529 is Anthropic's
 * "overloaded"; 408 and 504 are timeouts; 409 is a transient conflict OpenAI asks to retry.
 */
export function kindOfStatus(status: number): UpstreamErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status === 503 || status === 529) return 'overloaded';
  if (status === 409 || status >= 500) return 'server_error';
  if (status >= 200 && status < 300) return 'incomplete';
  return 'bad_request';
}
