import type { ModelInfo } from '../catalog/model-info.js';
import type { SearchSettings } from '../config/resolve-search-settings.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';

/** How one model gets its web results: our backend's sources in the prompt, or its provider's own search. */
export type SearchMethod = 'backend' | 'native';

/** Whether a model can run its provider's own web search. */
export type NativeSearchCheck = (info: ModelInfo) => boolean;
export const noNativeSearch: NativeSearchCheck = () => false;

/**
 * A model searches natively when the catalog says it can (the `search` capability) and its
 * provider's adapter passes a search tool (a custom OpenAI-compatible server has none).
 */
export const nativeSearchIn =
  (registry: ProviderRegistry): NativeSearchCheck =>
  (info) =>
    info.capabilities.has('search') && registry.get(info.provider)?.nativeSearch === true;

/** The rule of `search.mode` (backend | native | auto), per model. */
export class SearchAvailability {
  constructor(
    private readonly settings: Pick<SearchSettings, 'backend' | 'backendMissingReason' | 'mode'>,
    private readonly nativeSearch: NativeSearchCheck = noNativeSearch,
  ) {}

  /** How this model searches, or undefined when it cannot. `auto` prefers native search. */
  methodFor(info: ModelInfo): SearchMethod | undefined {
    const { mode, backend } = this.settings;
    if (mode !== 'backend' && this.nativeSearch(info)) return 'native';
    if (mode !== 'native' && backend !== undefined) return 'backend';
    return undefined;
  }

  /** Why this model cannot search, or undefined when it can. */
  unavailableReason(info: ModelInfo): string | undefined {
    if (this.methodFor(info)) return undefined;
    const { mode, backendMissingReason } = this.settings;
    if (mode === 'native') return 'search.mode is "native" and the model has no native search';
    const backend = backendMissingReason ?? 'no search backend is configured';
    return mode === 'auto' ? `${backend} and the model has no native search` : backend;
  }
}
