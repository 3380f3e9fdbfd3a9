import type { ProviderSettings } from '../../config/load-config.js';
import type { AiSdkProvider } from '../ai-sdk/ai-sdk-provider.js';
import { offersNativeSearch } from '../ai-sdk/native-search-setup.js';
import type { LanguageModel, Provider } from '../provider.js';
import { OpenAIChatEndpoint, OpenAIChatModel } from './openai-chat-model.js';
import { dialectOf, type OpenAIDialect } from './openai-dialect.js';
import { openaiModelProfile } from './openai-model-profile.js';

/** A provider speaking the OpenAI Chat Completions wire format (OpenAI and compatible APIs). */
export class OpenAIChatProvider implements Provider {
  readonly name: string;
  readonly configured: boolean;
  readonly nativeSearch: boolean;
  readonly #endpoint: OpenAIChatEndpoint;
  readonly #dialect: OpenAIDialect;
  readonly #settings: ProviderSettings;
  /**
   * Native web search (OpenAI's Responses API with its search tool) goes through the AI SDK,
   * whose packages load on the first search, not at boot.
   */
  #searching: Promise<AiSdkProvider> | undefined;
  /** Models are stateless: one object per model id serves every request. */
  readonly #models = new Map<string, OpenAIChatModel>();

  constructor(settings: ProviderSettings) {
    this.name = settings.name;
    this.configured = settings.configured;
    this.#endpoint = new OpenAIChatEndpoint(settings.baseURL, settings.apiKey);
    this.#dialect = dialectOf(settings.kind, this.#endpoint.url);
    this.nativeSearch = offersNativeSearch(settings.kind);
    this.#settings = settings;
  }

  /** The model that searches: the same model through the AI SDK, loaded when first called. */
  #searchingModel(model: string, parameterSupport: LanguageModel['parameterSupport']): LanguageModel {
    const load = () =>
      (this.#searching ??= import('../ai-sdk/ai-sdk-provider.js').then(
        ({ AiSdkProvider: Loaded }) => new Loaded(this.#settings),
      ));
    let loaded: LanguageModel | undefined;
    return {
      provider: this.name,
      model,
      parameterSupport,
      async *stream(call) {
        loaded ??= (await load()).languageModel(model);
        yield* loaded.stream(call);
      },
    };
  }

  languageModel(model: string): LanguageModel {
    let found = this.#models.get(model);
    if (!found) {
      const profile = openaiModelProfile(this.#dialect, model);
      found = new OpenAIChatModel(
        this.name,
        profile,
        this.#endpoint,
        this.nativeSearch ? this.#searchingModel(model, profile.parameterSupport) : undefined,
      );
      this.#models.set(model, found);
    }
    return found;
  }
}
