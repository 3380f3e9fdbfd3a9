import type { LanguageModelV3Usage } from '@ai-sdk/provider';
import type { Usage } from '../../core/usage.js';

/**
 * The upstream's token counts in our terms, or undefined when it reported none (the
 * service then estimates them). Prompt tokens include cached ones; completion tokens
 * include reasoning ones, as every provider bills them.
 */
export function convertUsage(usage: LanguageModelV3Usage): Usage | undefined {
  const { inputTokens, outputTokens } = usage;
  if (inputTokens.total === undefined && outputTokens.total === undefined) return undefined;
  return {
    promptTokens: inputTokens.total ?? 0,
    completionTokens: outputTokens.total ?? 0,
    reasoningTokens: outputTokens.reasoning ?? 0,
    cachedTokens: inputTokens.cacheRead ?? 0,
    estimated: false,
  };
}
