/** How a search failed: decides the status when search is required, and the reason shown. */
export type SearchErrorKind =
  /** The backend's own time limit passed. */
  | 'timeout'
  /** The request's signal fired (client gone, deadline). */
  | 'aborted'
  /** Connection refused, reset, DNS… */
  | 'network'
  /** The backend answered with a non-2xx status. */
  | 'http'
  /** The body was not JSON, or not in the shape we expect. */
  | 'invalid_response'
  /** The conversation has no text to search for. */
  | 'empty_query';

/** A failed search. Its message is safe to show a client: no key, no upstream body. */
export class SearchError extends Error {
  override readonly name = 'SearchError';
  readonly kind: SearchErrorKind;
  readonly status: number | undefined;

  constructor(options: { kind: SearchErrorKind; message: string; status?: number | undefined }) {
    super(options.message);
    this.kind = options.kind;
    this.status = options.status;
  }
}
