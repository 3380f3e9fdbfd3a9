import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../auth/principal.js';
import { GatewayError } from '../../core/gateway-error.js';
import { requireMethod } from '../route-helpers.js';
import { handleCreateResponse, type ResponsesDeps } from './handle-create-response.js';
import { handleGetResponse } from './handle-get-response.js';

export type { ResponsesDeps } from './handle-create-response.js';

const collectionPath = '/v1/responses';
const itemPrefix = `${collectionPath}/`;

/** Whether the Responses surface serves `path`. */
export const isResponsesPath = (path: string): boolean =>
  path === collectionPath || path.startsWith(itemPrefix);

/** The OpenAI Responses surface (SPEC §8), for an authenticated request. */
export async function routeResponses(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  principal: Principal,
  startedAt: number,
  deps: ResponsesDeps & { isAccepting(): boolean },
): Promise<void> {
  if (path === collectionPath) {
    requireMethod(req, res, 'POST');
    if (!deps.isAccepting()) throw new GatewayError('unavailable', 'the server is shutting down');
    return handleCreateResponse(req, res, principal, startedAt, deps);
  }
  const id = path.slice(itemPrefix.length);
  if (id !== '' && !id.includes('/')) {
    requireMethod(req, res, 'GET');
    return handleGetResponse(res, id, principal, deps.responses);
  }
  throw new GatewayError('not_found', `no route for ${req.method} ${path}`);
}
