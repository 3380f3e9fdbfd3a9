import { type ChatMessage, textOf } from '../core/messages.js';

/** Engines cap queries (Brave at 400 characters); a few words find more than a paragraph anyway. */
const maxQueryChars = 300;
/** A follow-up this short ("and in 2023?") means little alone. */
const shortFollowUpChars = 60;
const contextChars = 150;

const normalise = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** Cuts at a word boundary so that the engine never sees half a word. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return space > max / 2 ? cut.slice(0, space) : cut;
}

/**
 * The web query for a conversation: its last user message, preceded by the user's
 * previous message when the last one is a short follow-up that needs its subject.
 * Empty when no user message has text (an image alone cannot be searched for).
 */
export function buildSearchQuery(messages: readonly ChatMessage[]): string {
  const userTexts = messages
    .filter((message) => message.role === 'user')
    .map((message) => normalise(textOf(message)))
    .filter((text) => text.length > 0);
  const last = userTexts.at(-1);
  if (last === undefined) return '';
  const previous = userTexts.at(-2);
  const query =
    last.length < shortFollowUpChars && previous !== undefined
      ? `${truncate(previous, contextChars)} ${last}`
      : last;
  return truncate(query, maxQueryChars);
}
