/** Why an upstream attempt failed, in terms the router can act on. */
export type UpstreamErrorKind =
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'auth'
  | 'bad_request'
  | 'context_length_exceeded'
  | 'content_filtered'
  | 'not_found'
  | 'incomplete';

const retryableKinds: ReadonlySet<UpstreamErrorKind> = new Set([
  'rate_limited',
  'overloaded',
  'server_error',
  'timeout',
  'network',
  'incomplete',
]);

export interface UpstreamErrorInit {
  kind: UpstreamErrorKind;
  message: string;
  status?: number | undefined;
  retryAfterMs?: number | undefined;
  retryable?: boolean;
}

/** One failed upstream attempt. Its message is safe to show: no keys, no prompts. */
export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;

  constructor(init: UpstreamErrorInit) {
    super(init.message);
    this.name = 'UpstreamError';
    this.kind = init.kind;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.retryable = init.retryable ?? retryableKinds.has(init.kind);
  }
}
