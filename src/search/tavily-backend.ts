import { z } from 'zod';
import { fetchSearchJson } from './fetch-search-json.js';
import { toPlainText } from './plain-text.js';
import type { SearchBackend, SearchOptions, SearchResult } from './search-backend.js';

/** Only what we read of Tavily's `POST /search` answer. */
const tavilyResponseSchema = z.object({
  results: z.array(
    z.object({
      url: z.string(),
      title: z.string().nullish(),
      content: z.string().nullish(),
    }),
  ),
});

export interface TavilyBackendOptions {
  baseURL: string;
  apiKey: string;
  timeoutMs: number;
  fetch: typeof globalThis.fetch;
}

/** Tavily's hosted search API: `POST /search` with a bearer key. */
export class TavilyBackend implements SearchBackend {
  readonly name = 'tavily';

  constructor(private readonly options: TavilyBackendOptions) {}

  async search(query: string, { signal, count }: SearchOptions): Promise<SearchResult[]> {
    const body = await fetchSearchJson(
      {
        backend: this.name,
        url: `${this.options.baseURL}/search`,
        init: {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            authorization: `Bearer ${this.options.apiKey}`,
          },
          body: JSON.stringify({ query, max_results: count, search_depth: 'basic' }),
        },
        signal,
        timeoutMs: this.options.timeoutMs,
        fetch: this.options.fetch,
      },
      tavilyResponseSchema,
    );
    return body.results.map((result) => ({
      url: result.url,
      title: toPlainText(result.title ?? ''),
      snippet: toPlainText(result.content ?? ''),
    }));
  }
}
