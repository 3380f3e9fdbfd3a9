import { countTokens as countWithTokenizer } from 'gpt-tokenizer';
import type { ChatMessage } from './messages.js';

/** Tokens of a text by the o200k tokenizer: exact for recent OpenAI models, an estimate for others. */
export const countTokens = (text: string): number => (text.length === 0 ? 0 : countWithTokenizer(text));

/** Per-message framing, as the OpenAI chat format adds it. */
const tokensPerMessage = 3;
/** A conservative flat figure for an image part; providers bill images in many ways. */
const tokensPerImage = 765;

/** Estimated prompt tokens of a conversation. */
export function countMessageTokens(messages: readonly ChatMessage[]): number {
  let total = 3;
  for (const message of messages) {
    total += tokensPerMessage;
    for (const part of message.content)
      total += part.type === 'text' ? countTokens(part.text) : tokensPerImage;
  }
  return total;
}
