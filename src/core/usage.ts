/** Token counts of one completion. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** Part of completionTokens spent on reasoning; billed as output. */
  reasoningTokens: number;
  /** Part of promptTokens read from the provider's cache. */
  cachedTokens: number;
  /** Counted by our tokenizer because the upstream reported none. */
  estimated: boolean;
}

export const emptyUsage = (): Usage => ({
  promptTokens: 0,
  completionTokens: 0,
  reasoningTokens: 0,
  cachedTokens: 0,
  estimated: false,
});
