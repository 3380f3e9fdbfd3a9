import type { ModelInfo } from '../catalog/model-info.js';
import type { SearchSettings } from '../config/resolve-search-settings.js';

/** How one model gets its web results: our backend's sources in the prompt, or its provider's own search. */
export type SearchMethod = 'backend' | 'native';

/**
 * Whether a model's provider adapter can run the provider's own search for it. No adapter
 * does yet, so no model searches natively; once the adapters pass their search tool
 * (see the README), this becomes `(info) => info.capabilities.has('search')`.
 */
export type NativeSearchCheck = (info: ModelInfo) => boolean;
export const noNativeSearch: NativeSearchCheck = () => false;

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
