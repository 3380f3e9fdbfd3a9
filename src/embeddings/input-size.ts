import { countTokens } from '../core/token-count.js';

/**
 * Token counts of an embeddings request's inputs, tokenised only when needed: a text's
 * UTF-8 byte length bounds its token count (byte-level BPE), which settles most checks.
 */
export class InputSize {
  #tokens: number[] | undefined;

  constructor(private readonly inputs: readonly string[]) {}

  /** Each input's tokens by the o200k tokenizer (exact for OpenAI's models, an estimate for others). */
  get tokens(): readonly number[] {
    this.#tokens ??= this.inputs.map(countTokens);
    return this.#tokens;
  }

  get totalTokens(): number {
    return this.tokens.reduce((sum, count) => sum + count, 0);
  }

  /** Whether some input is longer than `limit` tokens. */
  exceeds(limit: number): boolean {
    if (this.#tokens) return this.#tokens.some((count) => count > limit);
    if (this.inputs.every((input) => Buffer.byteLength(input, 'utf8') <= limit)) return false;
    return this.tokens.some((count) => count > limit);
  }
}
