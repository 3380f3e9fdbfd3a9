import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ProviderKind } from '../../config/config-schema.js';
import { anthropicDialect } from './anthropic-dialect.js';
import { googleDialect, googleMetadataKey } from './google-dialect.js';
import { anthropicCitedText, type NativeSearchSetup, nativeSearchTools } from './native-search-setup.js';
import { openaiDialect, plainDialect } from './openai-dialect.js';
import type { UpstreamDialect } from './upstream-dialect.js';

/** What a wire format needs to reach one provider. */
export interface UpstreamSettings {
  name: string;
  kind: ProviderKind;
  baseURL: string;
  apiKey: string | undefined;
  fetch: typeof globalThis.fetch | undefined;
}

/** One model's AI SDK models: the usual one, how it searches natively when its provider can, its dialect. */
export interface UpstreamModels {
  upstream: LanguageModelV3;
  search: NativeSearchSetup | undefined;
  dialect: UpstreamDialect;
}

/** A model id → the AI SDK models speaking this provider's wire format. */
export type UpstreamModelFactory = (model: string) => UpstreamModels;

/** The same model searching with the provider's own tool (Anthropic, Gemini). */
const searchingWith = (
  kind: 'anthropic' | 'google',
  upstream: LanguageModelV3,
  dialect: UpstreamDialect,
  rules: Pick<NativeSearchSetup, 'citedText'> = {},
): UpstreamModels => ({
  upstream,
  search: { upstream, tools: [nativeSearchTools[kind]], ...rules },
  dialect,
});

/**
 * One AI SDK provider per configured provider. The key and base URL are always passed
 * explicitly (an empty key rather than none) so that the SDK never falls back to reading
 * its own environment variables.
 */
export function createUpstreamModelFactory(settings: UpstreamSettings): UpstreamModelFactory {
  const { name, baseURL, fetch } = settings;
  const apiKey = settings.apiKey ?? '';
  switch (settings.kind) {
    case 'openai': {
      const provider = createOpenAI({ name, baseURL, apiKey, fetch });
      // `.chat`: the Chat Completions API, which every OpenAI-compatible server speaks too.
      // Web search runs on the Responses API instead: there the `web_search` tool works with
      // the current models, while Chat Completions only searches with `*-search-preview` models.
      return (model) => ({
        upstream: provider.chat(model),
        search: {
          upstream: provider.responses(model),
          tools: [nativeSearchTools.openai],
          completesWithoutReason: true,
        },
        dialect: openaiDialect(),
      });
    }
    case 'anthropic': {
      const provider = createAnthropic({ name, baseURL, apiKey, fetch });
      return (model) =>
        searchingWith('anthropic', provider.messages(model), anthropicDialect(name, model), {
          citedText: anthropicCitedText,
        });
    }
    case 'google': {
      const provider = createGoogleGenerativeAI({ name, baseURL, apiKey, fetch });
      return (model) => {
        const upstream = provider.chat(model);
        return searchingWith(
          'google',
          upstream,
          googleDialect(name, model, googleMetadataKey(upstream.provider)),
        );
      };
    }
    case 'openai-compatible': {
      const provider = createOpenAICompatible({
        name,
        baseURL,
        ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
        fetch,
        // Ask for the usage chunk at the end of the stream (`stream_options.include_usage`).
        includeUsage: true,
      });
      // No search of its own: `search: true` goes through the search backend.
      return (model) => ({ upstream: provider.chatModel(model), search: undefined, dialect: plainDialect() });
    }
  }
}
