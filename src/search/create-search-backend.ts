import type { SearchBackendSettings } from '../config/resolve-search-settings.js';
import { BraveBackend } from './brave-backend.js';
import type { SearchBackend } from './search-backend.js';
import { SearxngBackend } from './searxng-backend.js';
import { TavilyBackend } from './tavily-backend.js';

/** The backend the config names; `fetch` is passed in so that tests and proxies can supply theirs. */
export function createSearchBackend(
  settings: SearchBackendSettings,
  fetch: typeof globalThis.fetch = globalThis.fetch,
): SearchBackend {
  const { baseURL, timeoutMs } = settings;
  // Settings resolution leaves a hosted backend without a key unconfigured, so the key is set here.
  const apiKey = settings.apiKey ?? '';
  switch (settings.kind) {
    case 'searxng':
      return new SearxngBackend({ baseURL, apiKey: settings.apiKey, timeoutMs, fetch });
    case 'tavily':
      return new TavilyBackend({ baseURL, apiKey, timeoutMs, fetch });
    case 'brave':
      return new BraveBackend({ baseURL, apiKey, timeoutMs, fetch });
  }
}
