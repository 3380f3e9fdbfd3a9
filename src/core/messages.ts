/** A part of a message's content. */
export type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export type MessageRole = 'system' | 'user' | 'assistant';

/** One chat turn, in our own shape (never a vendor's). */
export interface ChatMessage {
  role: MessageRole;
  content: ContentPart[];
}

/** Concatenated text parts of a message. */
export const textOf = (message: ChatMessage): string => {
  let text = '';
  for (const part of message.content) if (part.type === 'text') text += part.text;
  return text;
};

export const hasImages = (messages: readonly ChatMessage[]): boolean =>
  messages.some((message) => message.content.some((part) => part.type === 'image_url'));
