import type { Citation } from '../../search/citation.js';

/** OpenAI's annotation for a cited web source. */
export interface UrlCitationAnnotation {
  type: 'url_citation';
  url_citation: { start_index: number; end_index: number; url: string; title: string };
}

/**
 * One `url_citation` annotation per `[n]` marker in the answer that names a source, with
 * the marker's position, in the order they appear. [search, issue 9] A provider's own
 * search (`native`) cites by spans we do not keep, not by markers: then each page
 * annotates the whole answer.
 */
export function toUrlCitations(
  text: string,
  citations: readonly Citation[],
  native = false,
): UrlCitationAnnotation[] {
  if (citations.length === 0) return [];
  if (native) {
    return citations.map((citation) => ({
      type: 'url_citation',
      url_citation: { start_index: 0, end_index: text.length, url: citation.url, title: citation.title },
    }));
  }
  const byIndex = new Map(citations.map((citation) => [citation.index, citation]));
  const annotations: UrlCitationAnnotation[] = [];
  for (const match of text.matchAll(/\[(\d+)\]/g)) {
    const citation = byIndex.get(Number(match[1]));
    if (!citation) continue;
    annotations.push({
      type: 'url_citation',
      url_citation: {
        start_index: match.index,
        end_index: match.index + match[0].length,
        url: citation.url,
        title: citation.title,
      },
    });
  }
  return annotations;
}
