import type { WebSource } from '../providers/provider.js';
import type { Citation, SearchReport } from './citation.js';
import { toCitations } from './to-citations.js';

/**
 * The pages a provider's own search reported, as the same numbered citations the backend's
 * sources give: numbered by first appearance, http(s) links only, each page once.
 */
export function nativeCitations(sources: readonly WebSource[]): {
  citations: Citation[];
  report: SearchReport;
} {
  const citations = toCitations(sources, sources.length);
  return { citations, report: { status: 'ok', method: 'native', results: citations.length } };
}
