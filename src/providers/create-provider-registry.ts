import type { ProviderSettings } from '../config/load-config.js';
import { AiSdkProvider } from './ai-sdk/ai-sdk-provider.js';
import { buildProviderRegistry } from './build-provider-registry.js';
import type { ProviderRegistry } from './provider-registry.js';

export interface ProviderRegistryOptions {
  /** The fetch every upstream call uses (tests and proxies may pass their own). */
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * Every provider the configuration names (built-in, presets and the config file's), each
 * `configured` or not as its settings say, plus the built-in `local`. Loads the AI SDK
 * packages at once (tests); the gateway uses `loadProviderRegistry`, which loads them only
 * when needed.
 */
export function createProviderRegistry(
  settings: readonly ProviderSettings[],
  options: ProviderRegistryOptions = {},
): ProviderRegistry {
  return buildProviderRegistry(settings, (provider) => new AiSdkProvider(provider, { fetch: options.fetch }));
}
