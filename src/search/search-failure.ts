import { GatewayError } from '../core/gateway-error.js';
import type { SearchError } from './search-error.js';

/**
 * The client's error when a required search failed: a slow backend is a timeout (504),
 * nothing to search for is the request's fault (400), anything else a bad upstream (502).
 */
export function searchFailureToGatewayError(error: SearchError): GatewayError {
  const details = { search: { status: 'unavailable', reason: error.message } };
  const message = `web search is required but failed: ${error.message}`;
  switch (error.kind) {
    case 'timeout':
      return new GatewayError('upstream_timeout', message, details);
    case 'empty_query':
      return new GatewayError('invalid_request', message, details);
    default:
      return new GatewayError('upstream_failed', message, details);
  }
}
