import type { ProviderSettings } from '../config/load-config.js';
import { buildProviderRegistry, speaksOpenAIChat } from './build-provider-registry.js';
import type { ProviderRegistryOptions } from './create-provider-registry.js';
import type { ProviderRegistry } from './provider-registry.js';

/**
 * The registry of `createProviderRegistry`, loading the AI SDK provider packages (several MB of code and memory)
 * only when a configured provider speaks through them: a gateway serving OpenAI-format
 * providers alone never loads them (OpenAI's native web search loads them on its first call).
 */
export async function loadProviderRegistry(
  settings: readonly ProviderSettings[],
  options: ProviderRegistryOptions = {},
): Promise<ProviderRegistry> {
  const needed = settings.some((provider) => provider.configured && !speaksOpenAIChat(provider));
  if (!needed) return buildProviderRegistry(settings, undefined);
  const { AiSdkProvider: Loaded } = await import('./ai-sdk/ai-sdk-provider.js');
  return buildProviderRegistry(settings, (provider) => new Loaded(provider, { fetch: options.fetch }));
}
