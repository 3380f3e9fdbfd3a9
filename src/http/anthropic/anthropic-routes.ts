import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerTokenOf } from '../../auth/bearer-token.js';
import type { Principal } from '../../auth/principal.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { ApiKeyStore } from '../../store/api-key-store.js';
import type { RestCompletionsDeps } from '../rest-completions.js';
import { handleCountTokens } from './handle-count-tokens.js';
import { handleMessages } from './handle-messages.js';

export interface AnthropicRoutesDeps extends RestCompletionsDeps {
  apiKeys: ApiKeyStore;
  /** False while shutting down: new completions are refused. */
  isAccepting(): boolean;
}

/** Paths of the Anthropic Messages surface, whose errors are answered in Anthropic's shape. */
export const isAnthropicPath = (path: string): boolean =>
  path === '/v1/messages' || path.startsWith('/v1/messages/');

/**
 * Anthropic clients send the key as `x-api-key`; a Bearer token works too. Headers such
 * as `anthropic-version` and `anthropic-beta` are accepted and need nothing from us.
 */
async function authenticate(req: IncomingMessage, apiKeys: ApiKeyStore): Promise<Principal> {
  const header = req.headers['x-api-key'];
  const token = (typeof header === 'string' && header.trim()) || bearerTokenOf(req.headers.authorization);
  const principal = token ? await apiKeys.authenticate(token) : undefined;
  if (!principal)
    throw new GatewayError(
      'unauthorized',
      'a valid API key is required: send "x-api-key: <key>" or "Authorization: Bearer <key>"',
    );
  return principal;
}

function requirePost(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'POST') return;
  res.setHeader('allow', 'POST');
  throw new GatewayError('method_not_allowed', `${req.method} is not allowed here; use POST`);
}

/** The Anthropic Messages surface (SPEC §8): `POST /v1/messages` and `/v1/messages/count_tokens`. */
export async function routeAnthropic(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  startedAt: number,
  deps: AnthropicRoutesDeps,
): Promise<void> {
  const principal = await authenticate(req, deps.apiKeys);
  if (path === '/v1/messages') {
    requirePost(req, res);
    if (!deps.isAccepting()) throw new GatewayError('unavailable', 'the server is shutting down');
    return handleMessages(req, res, principal, startedAt, deps);
  }
  if (path === '/v1/messages/count_tokens') {
    requirePost(req, res);
    return handleCountTokens(req, res, deps.maxBodyBytes);
  }
  throw new GatewayError(
    'not_found',
    `no route for ${req.method} ${path} (message batches are not supported)`,
  );
}
