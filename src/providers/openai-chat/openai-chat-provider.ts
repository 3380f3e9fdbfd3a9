import type { ProviderSettings } from '../../config/load-config.js';
import { AiSdkProvider } from '../ai-sdk/ai-sdk-provider.js';
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
  /** Native web search (OpenAI's Responses API with its search tool) goes through the AI SDK. */
  readonly #searching: AiSdkProvider | undefined;
  /** Models are stateless: one object per model id serves every request. */
  readonly #models = new Map<string, OpenAIChatModel>();

  constructor(settings: ProviderSettings) {
    this.name = settings.name;
    this.configured = settings.configured;
    this.#endpoint = new OpenAIChatEndpoint(settings.baseURL, settings.apiKey);
    this.#dialect = dialectOf(settings.kind, this.#endpoint.url);
    this.nativeSearch = offersNativeSearch(settings.kind);
    this.#searching = this.nativeSearch ? new AiSdkProvider(settings) : undefined;
  }

  languageModel(model: string): LanguageModel {
    let found = this.#models.get(model);
    if (!found) {
      found = new OpenAIChatModel(
        this.name,
        openaiModelProfile(this.#dialect, model),
        this.#endpoint,
        this.#searching?.languageModel(model),
      );
      this.#models.set(model, found);
    }
    return found;
  }
}
