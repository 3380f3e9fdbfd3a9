import { z } from 'zod';
import { fetchSearchJson } from './fetch-search-json.js';
import { toPlainText } from './plain-text.js';
import type { SearchBackend, SearchOptions, SearchResult } from './search-backend.js';

/** Only what we read of SearXNG's `format=json` answer. */
const searxngResponseSchema = z.object({
  results: z.array(
    z.object({
      url: z.string(),
      title: z.string().optional(),
      content: z.string().nullish(),
    }),
  ),
});

export interface SearxngBackendOptions {
  /** The instance's root, e.g. `http://127.0.0.1:8888` (its JSON format must be enabled). */
  baseURL: string;
  apiKey: string | undefined;
  timeoutMs: number;
  fetch: typeof globalThis.fetch;
}

/** A self-hosted SearXNG instance: `GET /search?q=…&format=json`. */
export class SearxngBackend implements SearchBackend {
  readonly name = 'searxng';

  constructor(private readonly options: SearxngBackendOptions) {}

  async search(query: string, { signal }: SearchOptions): Promise<SearchResult[]> {
    const url = new URL(`${this.options.baseURL}/search`);
    url.searchParams.set('q', query);
    url.searchParams.set('format', 'json');
    const headers: Record<string, string> = { accept: 'application/json' };
    // An instance behind an authenticating proxy takes a bearer token.
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const body = await fetchSearchJson(
      {
        backend: this.name,
        url: url.toString(),
        init: { method: 'GET', headers },
        signal,
        timeoutMs: this.options.timeoutMs,
        fetch: this.options.fetch,
      },
      searxngResponseSchema,
    );
    // SearXNG has no result-count parameter: it answers a page, which toCitations cuts.
    return body.results.map((result) => ({
      url: result.url,
      title: toPlainText(result.title ?? ''),
      snippet: toPlainText(result.content ?? ''),
    }));
  }
}
