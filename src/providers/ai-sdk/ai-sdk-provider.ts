import type { ProviderSettings } from '../../config/load-config.js';
import type { LanguageModel, Provider } from '../provider.js';
import { AiSdkLanguageModel } from './ai-sdk-language-model.js';
import { createUpstreamModelFactory, type UpstreamModelFactory } from './create-upstream-model.js';

export interface AiSdkProviderOptions {
  fetch?: typeof globalThis.fetch | undefined;
}

/** A configured upstream provider reached through the AI SDK provider of its wire format. */
export class AiSdkProvider implements Provider {
  readonly name: string;
  readonly configured: boolean;
  readonly #factory: UpstreamModelFactory;

  constructor(settings: ProviderSettings, options: AiSdkProviderOptions = {}) {
    this.name = settings.name;
    this.configured = settings.configured;
    this.#factory = createUpstreamModelFactory({
      name: settings.name,
      kind: settings.kind,
      baseURL: settings.baseURL,
      apiKey: settings.apiKey,
      fetch: options.fetch,
    });
  }

  languageModel(model: string): LanguageModel {
    return new AiSdkLanguageModel({
      provider: this.name,
      model,
      upstream: this.#factory(model),
    });
  }
}
