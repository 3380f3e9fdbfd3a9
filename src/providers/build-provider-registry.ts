import type { ProviderSettings } from '../config/load-config.js';
import { offersNativeSearch } from './ai-sdk/native-search-setup.js';
import { localProvider } from './local/local-provider.js';
import { OpenAIChatProvider } from './openai-chat/openai-chat-provider.js';
import type { Provider } from './provider.js';
import { ProviderRegistry } from './provider-registry.js';

/** Builds the provider of a kind the AI SDK packages speak (Anthropic, Gemini). */
export type AiSdkProviderFactory = (settings: ProviderSettings) => Provider;

/** The OpenAI wire format is spoken directly (the hot path of most traffic); the others go through the AI SDK. */
export const speaksOpenAIChat = (settings: ProviderSettings): boolean =>
  settings.kind === 'openai' || settings.kind === 'openai-compatible';

/**
 * A provider whose key is not set, when its SDK package was not loaded: it is listed and
 * never eligible (routing checks `configured` before it asks for a model).
 */
function unconfiguredProvider(settings: ProviderSettings): Provider {
  return {
    name: settings.name,
    configured: false,
    nativeSearch: offersNativeSearch(settings.kind),
    languageModel() {
      throw new Error(`provider "${settings.name}" is not configured`);
    },
  };
}

/**
 * Every provider the configuration names, plus the built-in `local`. Without `aiSdk`,
 * providers of the AI SDK's kinds must all be unconfigured.
 */
export function buildProviderRegistry(
  settings: readonly ProviderSettings[],
  aiSdk: AiSdkProviderFactory | undefined,
): ProviderRegistry {
  return new ProviderRegistry([
    ...settings.map((provider) => {
      if (speaksOpenAIChat(provider)) return new OpenAIChatProvider(provider);
      if (aiSdk) return aiSdk(provider);
      if (provider.configured) throw new Error(`provider "${provider.name}" needs the AI SDK packages`);
      return unconfiguredProvider(provider);
    }),
    localProvider,
  ]);
}
