import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../auth/principal.js';
import type { ModelCatalog } from '../../catalog/model-catalog.js';
import { findServedModel, listServedModels } from '../../catalog/served-models.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { ProviderRegistry } from '../../providers/provider-registry.js';
import type { ResponseQueries } from '../../store/response-queries.js';
import { type EmbeddingsRouteDeps, handleEmbeddings } from '../embeddings/handle-embeddings.js';
import { routeResponses } from '../responses/responses-routes.js';
import type { RestCompletionsDeps } from '../rest-completions.js';
import { decodedRest, requireMethod } from '../route-helpers.js';
import { sendJson } from '../send-json.js';
import { servedModelSources } from '../served-model-sources.js';
import { handleChatCompletions } from './handle-chat-completions.js';
import { toOpenAIModel } from './openai-models.js';

export interface OpenAIRoutesDeps extends RestCompletionsDeps, EmbeddingsRouteDeps {
  catalog: ModelCatalog;
  registry: ProviderRegistry;
  /** Stored answers, for the Responses surface (`GET /v1/responses/{id}`, `previous_response_id`). */
  responses: ResponseQueries;
  /** False while shutting down: new completions are refused. */
  isAccepting(): boolean;
}

/** Paths whose errors are answered in OpenAI's shape. */
export const isOpenAIPath = (path: string): boolean => path === '/v1' || path.startsWith('/v1/');

const modelPathPrefix = '/v1/models/';

const modelIdOf = (path: string) => decodedRest(path, modelPathPrefix);

/** The OpenAI-compatible surface (SPEC §4), for an authenticated request. */
export async function routeOpenAI(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  principal: Principal,
  startedAt: number,
  deps: OpenAIRoutesDeps,
): Promise<void> {
  if (path === '/v1/chat/completions') {
    requireMethod(req, res, 'POST');
    if (!deps.isAccepting()) throw new GatewayError('unavailable', 'the server is shutting down');
    return handleChatCompletions(req, res, principal, startedAt, deps);
  }
  if (path === '/v1/responses' || path.startsWith('/v1/responses/')) {
    return routeResponses(req, res, path, principal, startedAt, deps);
  }
  if (path === '/v1/embeddings') {
    requireMethod(req, res, 'POST');
    if (!deps.isAccepting()) throw new GatewayError('unavailable', 'the server is shutting down');
    return handleEmbeddings(req, res, principal, startedAt, deps);
  }
  if (path === '/v1/models') {
    requireMethod(req, res, 'GET');
    const data = listServedModels(servedModelSources(deps)).map(toOpenAIModel);
    return sendJson(res, 200, { object: 'list', data });
  }
  if (path.startsWith(modelPathPrefix)) {
    requireMethod(req, res, 'GET');
    const id = modelIdOf(path);
    const model = id === undefined ? undefined : findServedModel(id, servedModelSources(deps));
    if (!model) {
      throw new GatewayError(
        'not_found',
        `the model "${id ?? path}" is not served here; GET /v1/models lists those that are`,
        {
          param: 'model',
        },
      );
    }
    return sendJson(res, 200, toOpenAIModel(model));
  }
  throw new GatewayError('not_found', `no route for ${req.method} ${path}`);
}
