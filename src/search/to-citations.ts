import type { Citation } from './citation.js';
import type { SearchResult } from './search-backend.js';

/**
 * Numbered citations from search results: only http(s) links (a source a client may
 * render as a link), each page once, at most `count`.
 */
export function toCitations(results: readonly SearchResult[], count: number): Citation[] {
  const seen = new Set<string>();
  const citations: Citation[] = [];
  for (const result of results) {
    if (citations.length >= count) break;
    if (!/^https?:\/\//i.test(result.url) || !URL.canParse(result.url) || seen.has(result.url)) continue;
    seen.add(result.url);
    citations.push({
      index: citations.length + 1,
      url: result.url,
      title: result.title,
      snippet: result.snippet,
    });
  }
  return citations;
}
