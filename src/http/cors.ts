import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS for browser clients (SPEC §8): only the origins of `cors.origins` (exact, or `*`
 * when the config says so) get CORS headers. A preflight from an allowed origin is answered
 * 204 before authentication, as browsers send no key with it; a preflight from any other
 * origin is answered 403 without CORS headers, so the browser refuses the call and a person
 * reading the answer sees why. Other requests are served as usual, with CORS headers only
 * for an allowed origin.
 */
export interface CorsPolicy {
  /** Answers a preflight (returns true: the request is done) or adds headers to a request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

/** Request headers a browser client may send: our own, and those of the OpenAI and Anthropic SDKs. */
const allowedHeaders = new Set([
  'accept',
  'authorization',
  'content-type',
  'x-api-key',
  'x-request-id',
  'anthropic-version',
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  'openai-beta',
  'openai-organization',
  'openai-project',
  'idempotency-key',
]);
/** The SDKs' platform headers: `x-stainless-os`, `-lang`, `-retry-count`, `-timeout`… */
const allowedHeaderPrefix = 'x-stainless-';

const isAllowedHeader = (name: string): boolean =>
  allowedHeaders.has(name) || name.startsWith(allowedHeaderPrefix);

/** Response headers a browser script may read. */
const exposedHeaders = [
  'x-request-id',
  'request-id',
  'retry-after',
  'x-should-retry',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
  'x-switchyard-conversation-id',
  'x-switchyard-dropped-parameters',
].join(', ');

const allowedMethods = 'GET, POST, PUT, DELETE, OPTIONS';
/** How long a browser may reuse a preflight answer, seconds (Chromium caps it at 7200). */
const maxAgeSeconds = '600';

const requestedHeaders = (req: IncomingMessage): string[] =>
  (req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);

/** The policy of `cors.origins`, or undefined when no origin is allowed (CORS is off). */
export function createCorsPolicy(origins: readonly string[]): CorsPolicy | undefined {
  if (origins.length === 0) return undefined;
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);

  return {
    handle(req, res) {
      // The answer depends on the Origin header, for every request: caches must know.
      res.setHeader('vary', 'Origin');
      const origin = req.headers.origin;
      if (origin === undefined) return false;
      const isAllowed = anyOrigin || allowed.has(origin);
      const preflight =
        req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
      if (!preflight) {
        if (isAllowed) {
          res.setHeader('access-control-allow-origin', anyOrigin ? '*' : origin);
          res.setHeader('access-control-expose-headers', exposedHeaders);
        }
        return false;
      }
      if (!isAllowed) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`origin ${origin} is not allowed: add it to cors.origins in the config file`);
        return true;
      }
      // The requested headers that are allowed, echoed; any other is left out, so the browser refuses it.
      const headers = requestedHeaders(req).filter(isAllowedHeader);
      res.writeHead(204, {
        'access-control-allow-origin': anyOrigin ? '*' : origin,
        'access-control-allow-methods': allowedMethods,
        ...(headers.length > 0 ? { 'access-control-allow-headers': headers.join(', ') } : {}),
        'access-control-max-age': maxAgeSeconds,
      });
      res.end();
      return true;
    },
  };
}
