import type { LanguageModelV3, LanguageModelV3ProviderTool } from '@ai-sdk/provider';
import type { ProviderKind } from '../../config/config-schema.js';

/** How one model runs its provider's own web search through the AI SDK. */
export interface NativeSearchSetup {
  /** The model to call when searching (OpenAI: the Responses API; the others: the usual model). */
  upstream: LanguageModelV3;
  /** The provider's search tool, executed by the provider itself. */
  tools: LanguageModelV3ProviderTool[];
  /** See `StreamPartAdapter`: the Responses API ends normally with no raw finish reason. */
  completesWithoutReason?: boolean;
}

/**
 * Each built-in wire format's search tool, as its AI SDK provider documents it (the `name`
 * is the one the provider maps the tool id to). Left at the provider's defaults: how many
 * searches one answer may run is the provider's choice, billed in its own usage.
 */
export const nativeSearchTools: Partial<Record<ProviderKind, LanguageModelV3ProviderTool>> = {
  openai: { type: 'provider', id: 'openai.web_search', name: 'web_search', args: {} },
  anthropic: { type: 'provider', id: 'anthropic.web_search_20250305', name: 'web_search', args: {} },
  google: { type: 'provider', id: 'google.google_search', name: 'google_search', args: {} },
};
