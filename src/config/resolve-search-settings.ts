import type { ConfigFile, SearchBackendKind, SearchMode } from './config-schema.js';

/** The search backend as the gateway will call it. */
export interface SearchBackendSettings {
  kind: SearchBackendKind;
  baseURL: string;
  apiKeyEnv: string | undefined;
  apiKey: string | undefined;
  results: number;
  timeoutMs: number;
  /** Pico-dollars per search (integer), like every other cost. */
  pricePerSearch: number;
}

/** How `search: true` requests are served. */
export interface SearchSettings {
  /** Undefined when no backend is declared, or its key variable is unset. */
  backend: SearchBackendSettings | undefined;
  /** Why `backend` is undefined, for the 422 a `search: true` request gets. */
  backendMissingReason: string | undefined;
  mode: SearchMode;
  required: boolean;
}

/** The public endpoints of the hosted APIs; a SearXNG instance is always the operator's own. */
const defaultBaseURLs: Partial<Record<SearchBackendKind, string>> = {
  tavily: 'https://api.tavily.com',
  brave: 'https://api.search.brave.com',
};

/**
 * Like a provider, a hosted backend whose key variable is unset is simply not configured
 * (not a configuration error): `search: true` requests then get a 422 saying why.
 */
export function resolveSearchSettings(
  file: ConfigFile['search'],
  source: Record<string, string | undefined>,
): SearchSettings {
  const { backend, mode, required } = file;
  if (!backend) {
    return { backend: undefined, backendMissingReason: 'no search backend is configured', mode, required };
  }
  const apiKey = backend.apiKeyEnv ? source[backend.apiKeyEnv] || undefined : undefined;
  if (backend.apiKeyEnv && !apiKey) {
    return {
      backend: undefined,
      backendMissingReason: `the ${backend.kind} search backend is not configured (${backend.apiKeyEnv} is not set)`,
      mode,
      required,
    };
  }
  return {
    backend: {
      kind: backend.kind,
      // The schema requires baseURL for searxng, the only kind without a default.
      baseURL: (backend.baseURL ?? defaultBaseURLs[backend.kind] ?? '').replace(/\/+$/, ''),
      apiKeyEnv: backend.apiKeyEnv,
      apiKey,
      results: backend.results,
      timeoutMs: backend.timeoutMs,
      pricePerSearch: Math.round(backend.pricePerSearch * 1e12),
    },
    backendMissingReason: undefined,
    mode,
    required,
  };
}
