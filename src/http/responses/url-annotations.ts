import type { CompletionResult } from '../../completions/completion-result.js';
import { searchedNatively } from '../../search/citation.js';
import { toUrlCitations } from '../openai/url-citations.js';
import type { OutputItem } from './output-items.js';

/** The Responses `url_citation` annotation: Chat Completions' fields, flat. */
export interface UrlAnnotation {
  type: 'url_citation';
  start_index: number;
  end_index: number;
  url: string;
  title: string;
}

/** The answer's cited sources as annotations on its text (positions in `text`). */
export const urlAnnotationsOf = (text: string, completion: CompletionResult): UrlAnnotation[] =>
  toUrlCitations(text, completion.citations, searchedNatively(completion.search)).map(({ url_citation }) => ({
    type: 'url_citation',
    ...url_citation,
  }));

/**
 * Annotates the answer's message with its sources. Citations are positions in the whole
 * answer's text, so only an answer with one message (the usual case) is annotated.
 */
export function annotateOutput(output: OutputItem[], completion: CompletionResult): OutputItem[] {
  const messages = output.filter((item) => item.type === 'message');
  const [message] = messages;
  if (messages.length !== 1 || !message || completion.citations.length === 0) return output;
  const part = message.content[0]!;
  part.annotations = urlAnnotationsOf(part.text, completion);
  return output;
}
