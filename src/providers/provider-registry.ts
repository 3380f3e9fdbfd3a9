import type { Provider } from './provider.js';

/** The providers the gateway can call, by name. */
export class ProviderRegistry {
  readonly #providers = new Map<string, Provider>();

  constructor(providers: Iterable<Provider>) {
    for (const provider of providers) this.#providers.set(provider.name, provider);
  }

  get(name: string): Provider | undefined {
    return this.#providers.get(name);
  }

  list(): Provider[] {
    return [...this.#providers.values()];
  }
}
