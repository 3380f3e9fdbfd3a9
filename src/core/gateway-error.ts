/** Error codes a client can see, with their HTTP status (SPEC §2). */
export const errorStatus = {
  invalid_request: 400,
  /** The provider refused the request under its content policy. */
  content_filtered: 400,
  /** Every candidate refused the request as invalid (the provider's 400). */
  upstream_rejected: 400,
  unauthorized: 401,
  budget_exceeded: 402,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  no_eligible_model: 422,
  rate_limited: 429,
  /** nginx's convention: the client went away; never sent, only stored. */
  client_closed: 499,
  internal_error: 500,
  upstream_failed: 502,
  unavailable: 503,
  upstream_timeout: 504,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** A failure to report to the client: its code, status and a message safe to show. */
export class GatewayError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields for the error body (`fields`, `attempts`, `candidates`…). */
    readonly details: Record<string, unknown> = {},
    /** Seconds for a `Retry-After` header. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
    this.status = errorStatus[code];
  }

  toBody(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

/** Wraps anything thrown into a GatewayError without leaking its message or stack. */
export const toGatewayError = (error: unknown): GatewayError =>
  error instanceof GatewayError ? error : new GatewayError('internal_error', 'internal server error');
