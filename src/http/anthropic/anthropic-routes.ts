import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerTokenOf } from '../../auth/bearer-token.js';
import type { Principal } from '../../auth/principal.js';
import { findServedModel, listServedModels } from '../../catalog/served-models.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { ApiKeyStore } from '../../store/api-key-store.js';
import type { RestCompletionsDeps } from '../rest-completions.js';
import { decodedRest, requireMethod } from '../route-helpers.js';
import { sendJson } from '../send-json.js';
import { type ModelListingDeps, servedModelSources } from '../served-model-sources.js';
import { messagesModels, pageOfModels, toAnthropicModel } from './anthropic-models.js';
import { handleCountTokens } from './handle-count-tokens.js';
import { handleMessages } from './handle-messages.js';

export interface AnthropicRoutesDeps extends RestCompletionsDeps, ModelListingDeps {
  apiKeys: ApiKeyStore;
  /** False while shutting down: new completions are refused. */
  isAccepting(): boolean;
}

/** Paths of the Anthropic Messages surface, whose errors are answered in Anthropic's shape. */
export const isAnthropicPath = (path: string): boolean =>
  path === '/v1/messages' || path.startsWith('/v1/messages/');

const modelPathPrefix = '/v1/models/';

/**
 * Whether a request is the Anthropic surface's: its own paths, and the model listing
 * (`/v1/models`, which OpenAI's clients call too) when the client is Anthropic's, which
 * always sends `anthropic-version`.
 */
export const speaksAnthropic = (path: string, headers: IncomingMessage['headers']): boolean =>
  isAnthropicPath(path) ||
  ((path === '/v1/models' || path.startsWith(modelPathPrefix)) && headers['anthropic-version'] !== undefined);

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

const modelIdOf = (path: string) => decodedRest(path, modelPathPrefix);

/**
 * The Anthropic Messages surface (SPEC §8): `POST /v1/messages`, `/v1/messages/count_tokens`,
 * and the model listing for Anthropic's clients (`GET /v1/models`, `/v1/models/{id}`).
 */
export async function routeAnthropic(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  startedAt: number,
  deps: AnthropicRoutesDeps,
): Promise<void> {
  const principal = await authenticate(req, deps.apiKeys);
  if (path === '/v1/messages') {
    requireMethod(req, res, 'POST');
    if (!deps.isAccepting()) throw new GatewayError('unavailable', 'the server is shutting down');
    return handleMessages(req, res, principal, startedAt, deps);
  }
  if (path === '/v1/messages/count_tokens') {
    requireMethod(req, res, 'POST');
    return handleCountTokens(req, res, deps.maxBodyBytes);
  }
  if (path === '/v1/models') {
    requireMethod(req, res, 'GET');
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    return sendJson(
      res,
      200,
      pageOfModels(messagesModels(listServedModels(servedModelSources(deps))), query),
    );
  }
  if (path.startsWith(modelPathPrefix)) {
    requireMethod(req, res, 'GET');
    const id = modelIdOf(path);
    const model = id === undefined ? undefined : findServedModel(id, servedModelSources(deps));
    if (!model || model.kind === 'embedding')
      throw new GatewayError(
        'not_found',
        `the model "${id ?? path}" is not served here; GET /v1/models lists those that are`,
      );
    return sendJson(res, 200, toAnthropicModel(model));
  }
  throw new GatewayError(
    'not_found',
    `no route for ${req.method} ${path} (message batches are not supported)`,
  );
}
