import type { Logger } from 'pino';
import type { ModelInfo } from '../catalog/model-info.js';
import type { SearchSettings } from '../config/resolve-search-settings.js';
import type { ChatMessage } from '../core/messages.js';
import { createSearchBackend } from './create-search-backend.js';
import { Grounder, type Grounding } from './ground-conversation.js';
import { type NativeSearchCheck, SearchAvailability, type SearchMethod } from './search-availability.js';

export interface WebSearchOptions {
  fetch?: typeof globalThis.fetch | undefined;
  logger?: Logger | undefined;
  nativeSearch?: NativeSearchCheck | undefined;
}

/** What the completion service needs of web search: who may search, and the grounding itself. */
export class WebSearch {
  readonly #availability: SearchAvailability;
  readonly #grounder: Grounder | undefined;

  constructor(settings: SearchSettings, options: WebSearchOptions = {}) {
    this.#availability = new SearchAvailability(settings, options.nativeSearch);
    const { backend } = settings;
    this.#grounder = backend
      ? new Grounder({
          backend: createSearchBackend(backend, options.fetch),
          count: backend.results,
          pricePerSearch: backend.pricePerSearch,
          required: settings.required,
          logger: options.logger,
        })
      : undefined;
  }

  /** How a model searches (`auto` prefers native search), or undefined when it cannot. */
  methodFor(info: ModelInfo): SearchMethod | undefined {
    return this.#availability.methodFor(info);
  }

  /** Why a model cannot serve a `search: true` request, or undefined when it can. */
  unavailableReason(info: ModelInfo): string | undefined {
    return this.#availability.unavailableReason(info);
  }

  /**
   * Grounds the conversation in the backend's results, for the models that search through
   * it. Undefined without a backend: then every eligible model searches natively.
   */
  async ground(messages: ChatMessage[], signal: AbortSignal): Promise<Grounding | undefined> {
    return this.#grounder?.ground(messages, signal);
  }
}
