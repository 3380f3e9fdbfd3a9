import { getModelCapabilities, supportsNativeStructuredOutputSchema } from '@ai-sdk/anthropic/internal';
import type { JSONObject } from '@ai-sdk/provider';
import type {
  DroppedParameter,
  GenerationOptions,
  SamplingParameter,
} from '../../core/generation-options.js';
import { UpstreamError } from '../../core/upstream-error.js';
import { anthropicParameterSupport } from './parameter-support.js';
import { thinkingBudgetOf } from './reasoning-budget.js';
import type { UpstreamDialect } from './upstream-dialect.js';

/** Anthropic's smallest thinking budget. */
const minimumThinkingBudget = 1024;

/** What stands for "any JSON object": the SDK needs a schema to ask for JSON at all. */
const anyJsonObject: JSONObject = { type: 'object' };

/** Anthropic takes none of these while thinking (the SDK would drop them with a warning). */
const notWhileThinking: readonly SamplingParameter[] = ['temperature', 'topK', 'topP'];

const forcesToolCall = (options: GenerationOptions): boolean =>
  options.tools !== undefined &&
  options.tools.length > 0 &&
  (options.toolChoice === 'required' || typeof options.toolChoice === 'object');

const refuse = (message: string) => new UpstreamError({ kind: 'bad_request', message });

/**
 * Anthropic's Messages API through `@ai-sdk/anthropic`: thinking as `thinking.budget_tokens`
 * (the SDK adds the budget to `max_tokens`, so the answer keeps its own), signatures echoed,
 * `disable_parallel_tool_use`, and structured output by the SDK's choice: native
 * `output_config.format` for the schemas Anthropic can hold, else a forced `json` tool whose
 * input the SDK streams to us as text.
 */
export function anthropicDialect(provider: string, model: string): UpstreamDialect {
  const capabilities = getModelCapabilities(model);
  const isClaude = capabilities.isKnownModel || model.includes('claude-');

  /** Whether the SDK will ask for JSON with its forced `json` tool rather than natively. */
  const usesJsonTool = (options: GenerationOptions): boolean => {
    const format = options.responseFormat;
    if (format === undefined || format.type === 'text') return false;
    if (format.type === 'json_object') return true;
    return !(capabilities.supportsStructuredOutput && supportsNativeStructuredOutputSchema(format.schema));
  };

  return {
    parameterSupport: anthropicParameterSupport(model),
    continuesPrefill: true,
    echo: { key: 'anthropic', reasoning: ['signature', 'redactedData'], toolCall: [] },
    jsonObjectSchema: anyJsonObject,

    fitCall<T extends GenerationOptions>(options: T) {
      const dropped: DroppedParameter[] = [];
      let fitted = options;
      const drop = (parameter: SamplingParameter, reason: string) => {
        if (fitted[parameter] === undefined) return;
        fitted = { ...fitted, [parameter]: undefined };
        dropped.push({ parameter, reason });
      };
      if (options.reasoning) {
        for (const parameter of notWhileThinking)
          drop(parameter, `${provider} does not take ${parameter} while thinking`);
      } else if (isClaude && options.temperature !== undefined) {
        drop('topP', `${provider} takes temperature or topP, not both`);
      }
      return { options: fitted, dropped };
    },

    refusal(options) {
      const thinking = options.reasoning !== undefined;
      // Forced tool use is refused by Anthropic while thinking (and by some models always);
      // the SDK would fall back to `auto`, which may answer without the call that was required.
      const cannotForce = thinking || capabilities.rejectsForcedToolUse;
      const why = thinking ? 'while thinking' : `with ${model}`;
      if (cannotForce && forcesToolCall(options))
        return refuse(
          `${provider} cannot force a tool call ${why} (toolChoice ${JSON.stringify(options.toolChoice)})`,
        );
      if (cannotForce && usesJsonTool(options))
        return refuse(
          `${provider} cannot be held to this response format ${why}: it needs a forced tool call (use a json_schema that ${model} supports natively)`,
        );
      return undefined;
    },

    providerOptions(options) {
      const anthropic: JSONObject = {};
      if (options.reasoning)
        anthropic.thinking = {
          type: 'enabled',
          budgetTokens: thinkingBudgetOf(options.reasoning, minimumThinkingBudget),
        };
      if (options.parallelToolCalls === false && options.tools?.length)
        anthropic.disableParallelToolUse = true;
      return Object.keys(anthropic).length > 0 ? { anthropic } : undefined;
    },

    maxOutputTokens: (options) => options.maxTokens,
  };
}
