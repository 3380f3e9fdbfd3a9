import type { JSONObject } from '@ai-sdk/provider';
import type { ReasoningEffort, ReasoningSetting } from '../../core/generation-options.js';
import { UpstreamError } from '../../core/upstream-error.js';
import { googleParameterSupport } from './parameter-support.js';
import { thinkingBudgetOf } from './reasoning-budget.js';
import { fitsAsIs, type UpstreamDialect } from './upstream-dialect.js';

/** Gemini 2.5 and 3 take at most 65 536 output tokens, thinking included. */
const maxOutputTokens = 65_536;

/** Models before Gemini 3, as the AI SDK tells them apart (it treats unknown Gemini ids as newest). */
const beforeGemini3 = /(^|\/)gemini-(1|2)(?:[.-]|$)|(^|\/)gemini-pro(?:-vision)?$/i;

/** Gemini 3 Pro has only the `low` and `high` thinking levels. */
const twoLevelModel = /(^|\/)gemini-3(\.0)?-pro/i;

const thinkingLevel = (model: string, effort: ReasoningEffort): ReasoningEffort => {
  if (!twoLevelModel.test(model)) return effort;
  return effort === 'minimal' || effort === 'low' ? 'low' : 'high';
};

/**
 * The AI SDK names Gemini's metadata `vertex` for a provider whose name says so, `google`
 * otherwise; our provider names are the SDK provider's names.
 */
export const googleMetadataKey = (sdkProvider: string): string =>
  sdkProvider.includes('vertex') ? 'vertex' : 'google';

/**
 * The Gemini API through `@ai-sdk/google`: thinking as `thinkingConfig` (a level on Gemini 3,
 * a budget on 2.5, thought summaries asked for), thought signatures echoed on tool calls and
 * thoughts. Gemini has no switch for parallel calls: `parallelToolCalls: false` cannot be
 * passed on (the model may still call several functions in one turn). Structured output is
 * `responseMimeType` + `responseSchema`; a JSON Schema the SDK cannot turn into Gemini's
 * schema fails before the request as an unsupported-functionality error (a `bad_request`).
 */
export function googleDialect(provider: string, model: string, metadataKey: string): UpstreamDialect {
  const gemini3 = !beforeGemini3.test(model);

  const thinkingConfig = (reasoning: ReasoningSetting): JSONObject =>
    gemini3 && 'effort' in reasoning
      ? { thinkingLevel: thinkingLevel(model, reasoning.effort), includeThoughts: true }
      : { thinkingBudget: thinkingBudgetOf(reasoning), includeThoughts: true };

  return {
    parameterSupport: googleParameterSupport(model),
    echo: { key: metadataKey, reasoning: ['thoughtSignature'], toolCall: ['thoughtSignature'] },
    jsonObjectSchema: undefined,
    fitCall: fitsAsIs,

    refusal(options, search) {
      // Before Gemini 3 the SDK sends Google Search alone and drops the functions.
      if (search && options.tools?.length && !gemini3)
        return new UpstreamError({
          kind: 'bad_request',
          message: `${provider} cannot search with Google Search and call functions in one request with ${model}`,
        });
      return undefined;
    },

    providerOptions: (options) =>
      options.reasoning ? { google: { thinkingConfig: thinkingConfig(options.reasoning) } } : undefined,

    // Gemini counts thinking within `maxOutputTokens`: leave the answer its own budget.
    maxOutputTokens(options) {
      if (options.maxTokens === undefined || !options.reasoning) return options.maxTokens;
      return Math.min(maxOutputTokens, options.maxTokens + thinkingBudgetOf(options.reasoning));
    },
  };
}
