import type {
  LanguageModelV3,
  LanguageModelV3ProviderTool,
  SharedV3ProviderMetadata,
} from '@ai-sdk/provider';
import type { ProviderKind } from '../../config/config-schema.js';

/** How one model runs its provider's own web search through the AI SDK. */
export interface NativeSearchSetup {
  /** The model to call when searching (OpenAI: the Responses API; the others: the usual model). */
  upstream: LanguageModelV3;
  /** The provider's search tool, executed by the provider itself. */
  tools: LanguageModelV3ProviderTool[];
  /**
   * This upstream's AI SDK model reports a normal end with no raw finish reason (OpenAI's
   * Responses API: `response.completed` has none) and a cut stream as `other`: then `stop`
   * without a raw reason is complete.
   */
  completesWithoutReason?: boolean | undefined;
  /** The text a cited page supports, from a source part's metadata, when the provider says. */
  citedText?: ((metadata: SharedV3ProviderMetadata | undefined) => string | undefined) | undefined;
}

/** Anthropic's citations carry the cited text; its search results do not. */
export function anthropicCitedText(metadata: SharedV3ProviderMetadata | undefined): string | undefined {
  const cited = metadata?.anthropic?.citedText;
  return typeof cited === 'string' && cited.length > 0 ? cited : undefined;
}

/**
 * Each built-in wire format's search tool, as its AI SDK provider documents it (the `name`
 * is the one the provider maps the tool id to). Left at the provider's defaults: how many
 * searches one answer may run is the provider's choice, billed in its own usage.
 */
export const nativeSearchTools = {
  openai: { type: 'provider', id: 'openai.web_search', name: 'web_search', args: {} },
  anthropic: { type: 'provider', id: 'anthropic.web_search_20250305', name: 'web_search', args: {} },
  google: { type: 'provider', id: 'google.google_search', name: 'google_search', args: {} },
} satisfies Partial<Record<ProviderKind, LanguageModelV3ProviderTool>>;

/** Whether our adapter of this wire format can pass a search tool. */
export const offersNativeSearch = (kind: ProviderKind): boolean => kind in nativeSearchTools;
