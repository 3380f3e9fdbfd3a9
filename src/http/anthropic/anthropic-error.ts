import type { ServerResponse } from 'node:http';
import type { ErrorCode, GatewayError } from '../../core/gateway-error.js';
import { sendJson } from '../send-json.js';

/** Anthropic's error `type` for each of our codes (https://docs.claude.com/en/api/errors). */
const anthropicTypes: Record<ErrorCode, string> = {
  invalid_request: 'invalid_request_error',
  content_filtered: 'invalid_request_error',
  upstream_rejected: 'invalid_request_error',
  unauthorized: 'authentication_error',
  budget_exceeded: 'billing_error',
  forbidden: 'permission_error',
  not_found: 'not_found_error',
  method_not_allowed: 'invalid_request_error',
  payload_too_large: 'request_too_large',
  unsupported_media_type: 'invalid_request_error',
  no_eligible_model: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  client_closed: 'invalid_request_error',
  internal_error: 'api_error',
  upstream_failed: 'api_error',
  unavailable: 'overloaded_error',
  upstream_timeout: 'timeout_error',
};

/** The gateway already retried and fell back: a client retry would only repeat all of it. */
const notWorthRetrying: ReadonlySet<ErrorCode> = new Set(['upstream_failed', 'upstream_timeout']);

/** Anthropic's `error` object, keeping our code and extra details (`fields`, `attempts`…). */
export function toAnthropicErrorObject(error: GatewayError) {
  return { type: anthropicTypes[error.code], message: error.message, code: error.code, ...error.details };
}

/** `{"type":"error","error":{type,message},"request_id"}`, the body and the in-stream event alike. */
export const toAnthropicErrorBody = (error: GatewayError, requestId: string | undefined) => ({
  type: 'error',
  error: toAnthropicErrorObject(error),
  request_id: requestId ?? null,
});

/** The request's id as the HTTP server set it, which Anthropic also sends as `request-id`. */
export const requestIdOf = (res: ServerResponse): string | undefined => {
  const id = res.getHeader('x-request-id');
  return typeof id === 'string' ? id : undefined;
};

/** Sends an error in Anthropic's shape with our status, `Retry-After` and the SDK's retry hint. */
export function sendAnthropicError(res: ServerResponse, error: GatewayError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const requestId = requestIdOf(res);
  const headers: Record<string, string> = {};
  if (requestId) headers['request-id'] = requestId;
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (notWorthRetrying.has(error.code)) headers['x-should-retry'] = 'false';
  sendJson(res, error.status, toAnthropicErrorBody(error, requestId), headers);
}
