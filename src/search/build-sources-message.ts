import type { ChatMessage } from '../core/messages.js';
import type { Citation } from './citation.js';

/** Per source: enough for the model to judge it, not so much that sources crowd out the conversation. */
const maxSnippetChars = 800;
const maxTitleChars = 200;

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/**
 * The system message that hands the model its numbered sources and asks it to cite them
 * as [1], [2]. The only place that wording lives, so a test upstream can assert on it.
 */
export function buildSourcesMessage(query: string, citations: readonly Citation[]): ChatMessage {
  const sources = citations
    .map((citation) => {
      const lines = [
        `[${citation.index}] ${clip(citation.title, maxTitleChars) || citation.url}`,
        citation.url,
      ];
      if (citation.snippet) lines.push(clip(citation.snippet, maxSnippetChars));
      return lines.join('\n');
    })
    .join('\n\n');
  const text = [
    `Web search results for ${JSON.stringify(query)}, numbered:`,
    sources,
    'Use these sources where they help answer the user. Cite each source you use inline by its ' +
      'number in square brackets, like [1] or [2][3], right after the statement it supports. ' +
      'Cite only the numbers listed above. If the sources do not answer the question, say so, ' +
      'and answer from what you know.',
  ].join('\n\n');
  return { role: 'system', content: [{ type: 'text', text }] };
}

/**
 * The conversation with the sources message placed after the leading system messages:
 * several providers accept system turns only at the start, and the user's own system
 * prompt keeps its first place.
 */
export function insertSourcesMessage(messages: readonly ChatMessage[], sources: ChatMessage): ChatMessage[] {
  let at = 0;
  while (at < messages.length && messages[at]!.role === 'system') at++;
  return [...messages.slice(0, at), sources, ...messages.slice(at)];
}
