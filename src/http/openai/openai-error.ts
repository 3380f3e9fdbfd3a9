import type { ServerResponse } from 'node:http';
import type { ErrorCode, GatewayError } from '../../core/gateway-error.js';
import { sendJson } from '../send-json.js';

/** OpenAI's error `type` for each of our codes. */
const openaiTypes: Record<ErrorCode, string> = {
  invalid_request: 'invalid_request_error',
  content_filtered: 'invalid_request_error',
  upstream_rejected: 'invalid_request_error',
  unauthorized: 'invalid_request_error',
  budget_exceeded: 'insufficient_quota',
  forbidden: 'permission_error',
  not_found: 'invalid_request_error',
  method_not_allowed: 'invalid_request_error',
  payload_too_large: 'invalid_request_error',
  unsupported_media_type: 'invalid_request_error',
  no_eligible_model: 'invalid_request_error',
  rate_limited: 'requests',
  client_closed: 'invalid_request_error',
  internal_error: 'server_error',
  upstream_failed: 'server_error',
  unavailable: 'server_error',
  upstream_timeout: 'server_error',
};

/** Where OpenAI has a well-known code for the same failure, clients look for that one. */
const openaiCodes: Partial<Record<ErrorCode, string>> = {
  unauthorized: 'invalid_api_key',
  rate_limited: 'rate_limit_exceeded',
  content_filtered: 'content_filter',
};

/** The gateway already retried and fell back: a client retry would only repeat all of it. */
const notWorthRetrying: ReadonlySet<ErrorCode> = new Set(['upstream_failed', 'upstream_timeout']);

export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
  [extra: string]: unknown;
}

/** `{"error":{message,type,param,code,…}}`, keeping our extra details (`attempts`, `candidates`…). */
export function toOpenAIErrorObject(error: GatewayError): OpenAIErrorObject {
  const { param, openaiCode, ...extra } = error.details;
  return {
    message: error.message,
    type: openaiTypes[error.code],
    param: typeof param === 'string' ? param : error.code === 'no_eligible_model' ? 'model' : null,
    code: typeof openaiCode === 'string' ? openaiCode : (openaiCodes[error.code] ?? error.code),
    ...extra,
  };
}

/** Sends an error in OpenAI's shape, with `Retry-After` and the retry hint the openai clients read. */
export function sendOpenAIError(res: ServerResponse, error: GatewayError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (notWorthRetrying.has(error.code)) headers['x-should-retry'] = 'false';
  sendJson(res, error.status, { error: toOpenAIErrorObject(error) }, headers);
}
