import { createRequire } from 'node:module';
import type { ChatMessage } from './messages.js';

type Tokenizer = { countTokens(text: string): number };

/**
 * The o200k tokenizer holds ~70 MB of tables, and most requests never need it (upstreams
 * report usage), so it is loaded on first use rather than at boot.
 */
let tokenizer: Tokenizer | undefined;
const loadTokenizer = (): Tokenizer => {
  tokenizer ??= createRequire(import.meta.url)('gpt-tokenizer') as Tokenizer;
  return tokenizer;
};

/** Tokens of a text by the o200k tokenizer: exact for recent OpenAI models, an estimate for others. */
export const countTokens = (text: string): number =>
  text.length === 0 ? 0 : loadTokenizer().countTokens(text);

/** Per-message framing, as the OpenAI chat format adds it. */
const tokensPerMessage = 3;
/** A conservative flat figure for an image part; providers bill images in many ways. */
const tokensPerImage = 765;

/** Estimated prompt tokens of a conversation. */
export function countMessageTokens(messages: readonly ChatMessage[]): number {
  let total = 3;
  for (const message of messages) {
    total += tokensPerMessage;
    for (const part of message.content) {
      if (part.type === 'image_url') total += tokensPerImage;
      else if (part.type === 'tool_call') total += countTokens(part.name) + countTokens(part.arguments);
      else total += countTokens(part.text);
    }
  }
  return total;
}
