import { type ChatMessage, textOf } from '../core/messages.js';

const maxTitleLength = 80;

/** A title from the first user message: its first line, cut at a word near 80 characters. */
export function titleFromMessages(messages: readonly ChatMessage[]): string {
  const firstUser = messages.find((message) => message.role === 'user');
  const text = (firstUser ? textOf(firstUser) : '').trim().replace(/\s+/g, ' ');
  if (text.length === 0) return 'New conversation';
  if (text.length <= maxTitleLength) return text;
  const cut = text.slice(0, maxTitleLength);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxTitleLength / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}
