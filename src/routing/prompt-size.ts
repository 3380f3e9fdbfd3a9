import type { ChatMessage, ContentPart } from '../core/messages.js';
import { countMessageTokens } from '../core/token-count.js';

/** An image counts as a flat 3,000 bytes; every other part by its text. */
function partBytes(part: ContentPart): number {
  switch (part.type) {
    case 'image_url':
      return 3_000;
    case 'tool_call':
      return Buffer.byteLength(part.name) + Buffer.byteLength(part.arguments);
    default:
      return Buffer.byteLength(part.text);
  }
}

/**
 * The size of a prompt, cheaply: tokenising is only worth its CPU when a context window
 * is close. A token is at least one UTF-8 byte, so the byte count bounds the token count.
 */
export class PromptSize {
  readonly bytes: number;
  /** About four bytes a token: good enough to rank candidates by cost. */
  readonly approxTokens: number;
  #exact: number | undefined;

  constructor(private readonly messages: readonly ChatMessage[]) {
    let bytes = 0;
    for (const message of messages) {
      for (const part of message.content) bytes += partBytes(part);
    }
    this.bytes = bytes;
    this.approxTokens = Math.ceil(bytes / 4) + 4 * messages.length;
  }

  /** The tokenizer's count, computed once. */
  get exactTokens(): number {
    this.#exact ??= countMessageTokens(this.messages);
    return this.#exact;
  }

  /** Whether prompt + `maxTokens` may not fit `contextWindow`. */
  exceeds(contextWindow: number, maxTokens: number): boolean {
    if (this.bytes + 4 * this.messages.length + 3 + maxTokens <= contextWindow) return false;
    return this.exactTokens + maxTokens > contextWindow;
  }
}
