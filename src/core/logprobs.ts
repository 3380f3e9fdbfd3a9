/** One likely token at a position of the answer, with its log probability. */
export interface TopLogprob {
  token: string;
  logprob: number;
  /** The token's UTF-8 bytes, when the provider sends them (a token may be part of a character). */
  bytes: number[] | null;
}

/** One token of the answer's text, with the likeliest alternatives at its position (`logprobs.top`). */
export interface TokenLogprob extends TopLogprob {
  topLogprobs: TopLogprob[];
}
