import { z } from 'zod';
import { fetchSearchJson } from './fetch-search-json.js';
import { toPlainText } from './plain-text.js';
import type { SearchBackend, SearchOptions, SearchResult } from './search-backend.js';

/** Only what we read of Brave's web search answer; `web` is absent when nothing was found. */
const braveResponseSchema = z.object({
  web: z
    .object({
      results: z.array(
        z.object({
          url: z.string(),
          title: z.string().nullish(),
          description: z.string().nullish(),
        }),
      ),
    })
    .optional(),
});

export interface BraveBackendOptions {
  baseURL: string;
  apiKey: string;
  timeoutMs: number;
  fetch: typeof globalThis.fetch;
}

/** Brave's Search API: `GET /res/v1/web/search` with `X-Subscription-Token`. */
export class BraveBackend implements SearchBackend {
  readonly name = 'brave';

  constructor(private readonly options: BraveBackendOptions) {}

  async search(query: string, { signal, count }: SearchOptions): Promise<SearchResult[]> {
    const url = new URL(`${this.options.baseURL}/res/v1/web/search`);
    url.searchParams.set('q', query);
    // Brave serves at most 20 results a page.
    url.searchParams.set('count', String(Math.min(count, 20)));
    const body = await fetchSearchJson(
      {
        backend: this.name,
        url: url.toString(),
        init: {
          method: 'GET',
          headers: { accept: 'application/json', 'x-subscription-token': this.options.apiKey },
        },
        signal,
        timeoutMs: this.options.timeoutMs,
        fetch: this.options.fetch,
      },
      braveResponseSchema,
    );
    return (body.web?.results ?? []).map((result) => ({
      url: result.url,
      title: toPlainText(result.title ?? ''),
      snippet: toPlainText(result.description ?? ''),
    }));
  }
}
