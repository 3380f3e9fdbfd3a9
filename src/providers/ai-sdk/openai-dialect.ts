import type { JSONObject } from '@ai-sdk/provider';
import type { ReasoningEffort, ReasoningSetting } from '../../core/generation-options.js';
import { takesEverySamplingHint } from '../parameter-support.js';
import { thinkingBudgetByEffort } from './reasoning-budget.js';
import { fitsAsIs, type UpstreamDialect } from './upstream-dialect.js';

/** OpenAI takes an effort only: a token budget becomes the smallest effort that covers it. */
function effortOf(reasoning: ReasoningSetting): ReasoningEffort {
  if ('effort' in reasoning) return reasoning.effort;
  const efforts = Object.entries(thinkingBudgetByEffort) as [ReasoningEffort, number][];
  return efforts.find(([, budget]) => reasoning.maxTokens <= budget)?.[0] ?? 'high';
}

/**
 * OpenAI's Responses API through `@ai-sdk/openai` (only native search goes this way: the
 * OpenAI adapter owns the table the router applies). Reasoning is `reasoningEffort`; nothing
 * is echoed (reasoning items are not sent back, tool calls need nothing).
 */
export function openaiDialect(): UpstreamDialect {
  return {
    parameterSupport: takesEverySamplingHint,
    echo: undefined,
    jsonObjectSchema: undefined,
    fitCall: fitsAsIs,
    refusal: () => undefined,
    providerOptions(options) {
      const openai: JSONObject = {};
      if (options.reasoning) openai.reasoningEffort = effortOf(options.reasoning);
      if (options.parallelToolCalls !== undefined && options.tools?.length)
        openai.parallelToolCalls = options.parallelToolCalls;
      return Object.keys(openai).length > 0 ? { openai } : undefined;
    },
    maxOutputTokens: (options) => options.maxTokens,
  };
}

/** A server of the OpenAI wire format we know nothing more about: the call goes as it is. */
export function plainDialect(): UpstreamDialect {
  return {
    parameterSupport: takesEverySamplingHint,
    echo: undefined,
    jsonObjectSchema: undefined,
    fitCall: fitsAsIs,
    refusal: () => undefined,
    providerOptions: () => undefined,
    maxOutputTokens: (options) => options.maxTokens,
  };
}
