import type { JSONObject, SharedV3ProviderOptions } from '@ai-sdk/provider';
import type { DroppedParameter, GenerationOptions, ParameterSupport } from '../../core/generation-options.js';
import type { UpstreamError } from '../../core/upstream-error.js';

/** Which opaque data of an AI SDK provider's answers goes back to it when the conversation continues. */
export interface EchoKeys {
  /** The provider's key in `providerMetadata` and `providerOptions` (`anthropic`, `google`). */
  key: string;
  /** The fields of a reasoning part's metadata to keep (Anthropic's `signature`…). */
  reasoning: readonly string[];
  /** The fields of a tool call's metadata to keep (Gemini's `thoughtSignature`). */
  toolCall: readonly string[];
}

/**
 * What differs between the AI SDK providers we drive, beyond what each SDK provider already
 * translates: the sampling hints a model takes, the provider options that carry reasoning and
 * parallel tool calls, what must be echoed back, and the requests it cannot honour.
 */
export interface UpstreamDialect {
  /** Which sampling hints the model takes (the router drops the others before the call). */
  readonly parameterSupport: ParameterSupport;
  /** It continues a trailing assistant turn (a prefill), as Anthropic does. */
  readonly continuesPrefill?: boolean;
  /** Undefined when nothing is echoed (the provider needs nothing back, or we do not keep it). */
  readonly echo: EchoKeys | undefined;
  /**
   * Hints this call cannot take in combination (Anthropic: no temperature while thinking),
   * removed before the call rather than silently by the SDK, with the reason.
   */
  fitCall<T extends GenerationOptions>(options: T): { options: T; dropped: DroppedParameter[] };
  /** A reason to refuse the call before sending it: a capability it asks for would be lost. */
  refusal(options: GenerationOptions, search: boolean): UpstreamError | undefined;
  /** The provider options for this call (reasoning, parallel tool calls), under the SDK's key. */
  providerOptions(options: GenerationOptions): SharedV3ProviderOptions | undefined;
  /** The output budget to ask for: the answer's, plus room for reasoning where the SDK adds none. */
  maxOutputTokens(options: GenerationOptions): number | undefined;
  /** The schema that stands for "any JSON object" when the SDK needs one (Anthropic), or undefined. */
  readonly jsonObjectSchema: JSONObject | undefined;
}

/** Keeps only `fields` of a provider's metadata; undefined when none is there. */
export function pickEcho(
  metadata: Record<string, JSONObject> | undefined,
  key: string,
  fields: readonly string[],
): Record<string, unknown> | undefined {
  const data = metadata?.[key];
  if (!data) return undefined;
  const picked: Record<string, unknown> = {};
  for (const field of fields) {
    const value = data[field];
    if (value !== undefined && value !== null) picked[field] = value;
  }
  return Object.keys(picked).length > 0 ? picked : undefined;
}

/** The call as is: nothing is dropped for a combination of hints. */
export const fitsAsIs = <T extends GenerationOptions>(options: T) => ({
  options,
  dropped: [] as DroppedParameter[],
});
