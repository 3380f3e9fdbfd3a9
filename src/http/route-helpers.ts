import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../core/gateway-error.js';

/** Refuses any other method with 405 and an `allow` header naming the one this path takes. */
export function requireMethod(req: IncomingMessage, res: ServerResponse, method: string): void {
  if (req.method === method) return;
  res.setHeader('allow', method);
  throw new GatewayError('method_not_allowed', `${req.method} is not allowed here; use ${method}`);
}

/** The path after `prefix`, percent-decoded (model ids hold a slash, which clients send as `%2F`); undefined when malformed. */
export function decodedRest(path: string, prefix: string): string | undefined {
  try {
    return decodeURIComponent(path.slice(prefix.length));
  } catch {
    return undefined;
  }
}
