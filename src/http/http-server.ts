import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { bearerTokenOf } from '../auth/bearer-token.js';
import type { Principal } from '../auth/principal.js';
import { GatewayError, toGatewayError } from '../core/gateway-error.js';
import type { Database } from '../db/database.js';
import type { GraphQLServerContext } from '../graphql/create-yoga.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { Clock } from '../routing/clock.js';
import type { ApiKeyStore } from '../store/api-key-store.js';
import { sendAnthropicError } from './anthropic/anthropic-error.js';
import { routeAnthropic, speaksAnthropic } from './anthropic/anthropic-routes.js';
import type { CorsPolicy } from './cors.js';
import { isDashboardPath, serveDashboard } from './dashboard-assets.js';
import { sendOpenAIError } from './openai/openai-error.js';
import { isOpenAIPath, type OpenAIRoutesDeps, routeOpenAI } from './openai/openai-routes.js';
import { handleRestCompletion } from './rest-completions.js';
import { handleRestRoute } from './rest-route.js';
import { sendError, sendJson } from './send-json.js';

/** Serves one GraphQL HTTP request (Yoga), writing the response itself. */
export type GraphQLHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  context: GraphQLServerContext,
) => Promise<unknown>;

export interface HttpDeps extends OpenAIRoutesDeps {
  logger: Logger;
  database: Database;
  apiKeys: ApiKeyStore;
  graphql: GraphQLHandler;
  metrics: GatewayMetrics;
  clock: Clock;
  /** Browser origins allowed (`cors.origins`); undefined: no CORS headers at all. */
  cors?: CorsPolicy | undefined;
  /** False while shutting down: /readyz says so and new work is refused. */
  isAccepting(): boolean;
}

const unauthorized = () =>
  new GatewayError('unauthorized', 'a valid API key is required: send "Authorization: Bearer <key>"');

async function authenticate(req: IncomingMessage, apiKeys: ApiKeyStore): Promise<Principal | undefined> {
  const token = bearerTokenOf(req.headers.authorization);
  return token ? apiKeys.authenticate(token) : undefined;
}

const pathOf = (req: IncomingMessage): string => (req.url ?? '/').split('?', 1)[0] ?? '/';

const wantsHtml = (req: IncomingMessage) =>
  req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');

/** Routes one HTTP request to the surface that serves it. */
export function createRequestHandler(deps: HttpDeps) {
  const { logger, clock } = deps;

  async function route(req: IncomingMessage, res: ServerResponse, startedAt: number): Promise<void> {
    const path = pathOf(req);
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/metrics') {
      const body = await deps.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
      return void res.end(body);
    }
    if (path === '/readyz') {
      if (!deps.isAccepting()) return sendJson(res, 503, { status: 'shutting down' });
      try {
        await deps.database.ping();
        return sendJson(res, 200, { status: 'ready' });
      } catch {
        return sendJson(res, 503, { status: 'database unreachable' });
      }
    }
    if (path === '/graphql') {
      // The GraphiQL page itself is public; every operation needs a key.
      if (wantsHtml(req)) return void (await deps.graphql(req, res, { principal: anonymous, startedAt }));
      const principal = await authenticate(req, deps.apiKeys);
      if (!principal) {
        return sendJson(res, 401, {
          errors: [{ message: unauthorized().message, extensions: { code: 'UNAUTHENTICATED' } }],
        });
      }
      return void (await deps.graphql(req, res, { principal, startedAt }));
    }
    if (path === '/api/v1/completions' || path === '/api/v1/route') {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        throw new GatewayError('method_not_allowed', `${req.method} is not allowed here; use POST`);
      }
      if (!deps.isAccepting()) throw new GatewayError('unavailable', 'the server is shutting down');
      const principal = await authenticate(req, deps.apiKeys);
      if (!principal) throw unauthorized();
      if (path === '/api/v1/route') return handleRestRoute(req, res, principal, startedAt, deps);
      return handleRestCompletion(req, res, principal, startedAt, deps);
    }
    // Anthropic's paths sit under /v1 too, and take the key as x-api-key as well.
    if (speaksAnthropic(path, req.headers)) return routeAnthropic(req, res, path, startedAt, deps);
    if (isOpenAIPath(path)) {
      const principal = await authenticate(req, deps.apiKeys);
      if (!principal) throw unauthorized();
      return routeOpenAI(req, res, path, principal, startedAt, deps);
    }
    if (isDashboardPath(path)) return serveDashboard(req, res, path);
    throw new GatewayError('not_found', `no route for ${req.method} ${path}`);
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    const startedAt = clock.now();
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    res.once('finish', () => {
      deps.metrics.httpRequests.add(1, routeLabel(req.url), String(res.statusCode));
      logger.info(
        {
          requestId,
          method: req.method,
          path: req.url?.split('?', 1)[0],
          status: res.statusCode,
          ms: Math.round(clock.now() - startedAt),
        },
        'request',
      );
    });
    // A preflight carries no key: it is answered here, before any route authenticates.
    if (deps.cors?.handle(req, res)) return;
    route(req, res, startedAt).catch((error: unknown) => {
      const gatewayError = toGatewayError(error);
      if (gatewayError.code === 'internal_error') logger.error({ err: error, requestId }, 'request failed');
      if (gatewayError.code === 'payload_too_large') {
        // Stop reading a body we refused once the answer is out, so the client is not left uploading.
        res.shouldKeepAlive = false;
        res.once('finish', () => req.destroy());
      }
      // Each surface answers errors in its own shape.
      const path = pathOf(req);
      const send = speaksAnthropic(path, req.headers)
        ? sendAnthropicError
        : isOpenAIPath(path)
          ? sendOpenAIError
          : sendError;
      send(res, gatewayError);
    });
  };
}

const knownRoutes = new Set([
  '/api/v1/completions',
  '/api/v1/route',
  '/graphql',
  '/v1/chat/completions',
  '/v1/embeddings',
  '/v1/models',
  '/v1/messages',
  '/v1/messages/count_tokens',
  '/healthz',
  '/readyz',
  '/metrics',
]);

/** A bounded label: unknown paths must not grow the metric without limit. */
const routeLabel = (url: string | undefined): string => {
  const path = (url ?? '/').split('?', 1)[0]!;
  return knownRoutes.has(path) ? path : 'other';
};

const anonymous: Principal = { keyId: '', name: 'anonymous', admin: false };
