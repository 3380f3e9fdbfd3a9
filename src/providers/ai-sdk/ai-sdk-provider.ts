import type { ProviderSettings } from '../../config/load-config.js';
import type { LanguageModel, Provider } from '../provider.js';
import { upstreamFetch } from '../upstream-http.js';
import { AiSdkLanguageModel } from './ai-sdk-language-model.js';
import { createUpstreamModelFactory, type UpstreamModelFactory } from './create-upstream-model.js';
import { offersNativeSearch } from './native-search-setup.js';

export interface AiSdkProviderOptions {
  fetch?: typeof globalThis.fetch | undefined;
}

/** A configured upstream provider reached through the AI SDK provider of its wire format. */
export class AiSdkProvider implements Provider {
  readonly name: string;
  readonly configured: boolean;
  readonly nativeSearch: boolean;
  readonly #factory: UpstreamModelFactory;

  constructor(settings: ProviderSettings, options: AiSdkProviderOptions = {}) {
    this.name = settings.name;
    this.configured = settings.configured;
    this.nativeSearch = offersNativeSearch(settings.kind);
    this.#factory = createUpstreamModelFactory({
      name: settings.name,
      kind: settings.kind,
      baseURL: settings.baseURL,
      apiKey: settings.apiKey,
      fetch: options.fetch ?? upstreamFetch,
    });
  }

  languageModel(model: string): LanguageModel {
    const { upstream, search, dialect } = this.#factory(model);
    return new AiSdkLanguageModel({ provider: this.name, model, upstream, search, dialect });
  }
}
