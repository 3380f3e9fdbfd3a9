import type { LanguageModelV3CallOptions, LanguageModelV3ProviderTool } from '@ai-sdk/provider';
import type { ModelCall } from '../provider.js';
import { convertMessages } from './convert-messages.js';
import { convertResponseFormat, convertToolChoice, convertTools } from './convert-tools.js';
import type { UpstreamDialect } from './upstream-dialect.js';

/**
 * One call as the AI SDK's call options: the prompt, the (already fitted) sampling hints,
 * tools with their choice, the response format, and the dialect's provider options. The
 * provider's own search tool, when searching natively, goes before ours.
 */
export function convertCallOptions(
  call: ModelCall,
  provider: string,
  dialect: UpstreamDialect,
  searchTools: readonly LanguageModelV3ProviderTool[] = [],
): LanguageModelV3CallOptions {
  const functionTools = call.tools?.length ? convertTools(call.tools) : [];
  const tools = [...searchTools, ...functionTools];
  const providerOptions = dialect.providerOptions(call);
  return {
    prompt: convertMessages(call.messages, dialect.echo ? { provider, keys: dialect.echo } : undefined),
    maxOutputTokens: dialect.maxOutputTokens(call),
    temperature: call.temperature,
    topP: call.topP,
    topK: call.topK,
    stopSequences: call.stop,
    seed: call.seed,
    frequencyPenalty: call.frequencyPenalty,
    presencePenalty: call.presencePenalty,
    responseFormat: convertResponseFormat(call.responseFormat, dialect.jsonObjectSchema),
    ...(tools.length > 0 ? { tools } : {}),
    ...(functionTools.length > 0 && call.toolChoice
      ? { toolChoice: convertToolChoice(call.toolChoice) }
      : {}),
    ...(providerOptions ? { providerOptions } : {}),
    abortSignal: call.signal,
  };
}
