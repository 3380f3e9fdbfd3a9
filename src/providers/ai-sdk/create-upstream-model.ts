import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ProviderKind } from '../../config/config-schema.js';

/** What a wire format needs to reach one provider. */
export interface UpstreamSettings {
  name: string;
  kind: ProviderKind;
  baseURL: string;
  apiKey: string | undefined;
  fetch: typeof globalThis.fetch | undefined;
}

/** A model id → the AI SDK model speaking this provider's wire format. */
export type UpstreamModelFactory = (model: string) => LanguageModelV3;

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
      return (model) => provider.chat(model);
    }
    case 'anthropic': {
      const provider = createAnthropic({ name, baseURL, apiKey, fetch });
      return (model) => provider.messages(model);
    }
    case 'google': {
      const provider = createGoogleGenerativeAI({ name, baseURL, apiKey, fetch });
      return (model) => provider.chat(model);
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
      return (model) => provider.chatModel(model);
    }
  }
}
