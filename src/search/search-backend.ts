/** One web page a search engine found. */
export interface SearchResult {
  url: string;
  title: string;
  /** Plain text (no markup), possibly empty. */
  snippet: string;
}

export interface SearchOptions {
  /** Aborted when the client goes away; the backend adds its own timeout. */
  signal: AbortSignal;
  /** How many results to ask for. */
  count: number;
}

/**
 * A web search engine. `search` resolves with the results in the engine's order, or
 * rejects with a SearchError (never anything else).
 */
export interface SearchBackend {
  /** `searxng`, `tavily`, `brave`: for logs and error messages. */
  readonly name: string;
  search(query: string, options: SearchOptions): Promise<SearchResult[]>;
}
