import { GatewayError } from '../core/gateway-error.js';
import type { UpstreamError, UpstreamErrorKind } from '../core/upstream-error.js';

/** The provider's 400: the request itself is refused, and would be by a retry too. */
export const rejectedKinds: ReadonlySet<UpstreamErrorKind> = new Set([
  'bad_request',
  'context_length_exceeded',
]);

/**
 * The answer once every candidate failed, by what the failures have in common: all rate
 * limited (429 with the shortest upstream wait), all timed out (504), all refusing the request
 * as invalid (400 `upstream_rejected`, quoting each reason once); else 502. `details` carries
 * the attempts in the surface's JSON. Completions and embeddings route by the same rules.
 */
export function exhaustedError(
  failures: readonly UpstreamError[],
  details: Record<string, unknown>,
): GatewayError {
  if (failures.length === 0)
    return new GatewayError(
      'upstream_failed',
      'no candidate could be tried: their circuits are open',
      details,
    );
  if (failures.every((failure) => failure.kind === 'rate_limited')) {
    const waits = failures.map((failure) => failure.retryAfterMs).filter((ms) => ms !== undefined);
    const retryAfterSeconds =
      waits.length > 0 ? Math.max(1, Math.ceil(Math.min(...waits) / 1000)) : undefined;
    return new GatewayError(
      'rate_limited',
      'every candidate was rate limited upstream',
      details,
      retryAfterSeconds,
    );
  }
  if (failures.every((failure) => failure.kind === 'timeout'))
    return new GatewayError('upstream_timeout', 'every candidate timed out', details);
  if (failures.every((failure) => rejectedKinds.has(failure.kind))) {
    const reasons = [...new Set(failures.map((failure) => failure.message))].join('; ');
    return new GatewayError('upstream_rejected', `every candidate rejected the request: ${reasons}`, details);
  }
  return new GatewayError('upstream_failed', 'every candidate failed', details);
}
