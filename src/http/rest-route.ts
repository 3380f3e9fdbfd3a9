import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { routingToJson } from '../routing/route-explanation.js';
import { readJsonBody } from './read-json-body.js';
import { parseRestCompletionBody, type RestCompletionsDeps } from './rest-completions.js';
import { sendJson } from './send-json.js';

/**
 * `POST /api/v1/route` (SPEC §10): a completion body, validated as `/api/v1/completions`
 * validates it, answered with the routing explanation its completion would carry. No
 * upstream is called, no budget reserved, nothing stored.
 */
export async function handleRestRoute(
  req: IncomingMessage,
  res: ServerResponse,
  principal: Principal,
  startedAt: number,
  deps: RestCompletionsDeps,
): Promise<void> {
  const request = parseRestCompletionBody(await readJsonBody(req, deps.maxBodyBytes));
  const explanation = await deps.service.explain(request, principal, startedAt);
  sendJson(res, 200, { routing: routingToJson(explanation) });
}
