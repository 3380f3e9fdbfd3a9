import type { ProviderSettings } from '../config/load-config.js';
import { AiSdkProvider } from './ai-sdk/ai-sdk-provider.js';
import { localProvider } from './local/local-provider.js';
import { OpenAIChatProvider } from './openai-chat/openai-chat-provider.js';
import { ProviderRegistry } from './provider-registry.js';

export interface ProviderRegistryOptions {
  /** The fetch every upstream call uses (tests and proxies may pass their own). */
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * Every provider the configuration names (built-in, presets and the config file's), each
 * `configured` or not as its settings say, plus the built-in `local`.
 */
export function createProviderRegistry(
  settings: readonly ProviderSettings[],
  options: ProviderRegistryOptions = {},
): ProviderRegistry {
  return new ProviderRegistry([
    ...settings.map((provider) =>
      // The OpenAI wire format is spoken directly (the hot path of most traffic); the
      // others go through the AI SDK's provider packages.
      provider.kind === 'openai' || provider.kind === 'openai-compatible'
        ? new OpenAIChatProvider(provider)
        : new AiSdkProvider(provider, { fetch: options.fetch }),
    ),
    localProvider,
  ]);
}
