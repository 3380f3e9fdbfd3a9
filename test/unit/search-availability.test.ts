import { describe, expect, it } from 'vitest';
import { ModelCatalog } from '../../src/catalog/model-catalog.js';
import type { ProviderKind } from '../../src/config/config-schema.js';
import type { SearchBackendSettings } from '../../src/config/resolve-search-settings.js';
import { createProviderRegistry } from '../../src/providers/create-provider-registry.js';
import { nativeSearchIn, SearchAvailability } from '../../src/search/search-availability.js';

const provider = (name: string, kind: ProviderKind) => ({
  name,
  kind,
  baseURL: 'http://127.0.0.1:1',
  apiKeyEnv: undefined,
  apiKey: 'key',
  configured: true,
});

const catalog = new ModelCatalog(
  [],
  [
    { id: 'acme/searcher', capabilities: ['search'] },
    { id: 'acme/plain', capabilities: [] },
  ],
);
const searcher = catalog.resolve('acme/searcher');
const plain = catalog.resolve('acme/plain');
const backend: SearchBackendSettings = {
  kind: 'searxng',
  baseURL: 'http://127.0.0.1:1',
  apiKeyEnv: undefined,
  apiKey: undefined,
  results: 5,
  timeoutMs: 1000,
  pricePerSearch: 0,
};
const native = (info: { capabilities: ReadonlySet<string> }) => info.capabilities.has('search');

describe('SearchAvailability', () => {
  it('auto prefers native search and falls back to the backend', () => {
    const availability = new SearchAvailability(
      { backend, backendMissingReason: undefined, mode: 'auto' },
      native,
    );
    expect(availability.methodFor(searcher)).toBe('native');
    expect(availability.methodFor(plain)).toBe('backend');
  });

  it('backend mode ignores native search; native mode ignores the backend', () => {
    const backendOnly = new SearchAvailability(
      { backend, backendMissingReason: undefined, mode: 'backend' },
      native,
    );
    expect(backendOnly.methodFor(searcher)).toBe('backend');
    const nativeOnly = new SearchAvailability(
      { backend, backendMissingReason: undefined, mode: 'native' },
      native,
    );
    expect(nativeOnly.methodFor(searcher)).toBe('native');
    expect(nativeOnly.unavailableReason(plain)).toBe(
      'search.mode is "native" and the model has no native search',
    );
  });

  it('says why a model cannot search without a backend', () => {
    const none = { backend: undefined, backendMissingReason: 'no search backend is configured' };
    expect(new SearchAvailability({ ...none, mode: 'backend' }, native).unavailableReason(searcher)).toBe(
      'no search backend is configured',
    );
    expect(new SearchAvailability({ ...none, mode: 'auto' }, native).unavailableReason(plain)).toBe(
      'no search backend is configured and the model has no native search',
    );
    // Without a native search check, no model searches natively.
    expect(new SearchAvailability({ ...none, mode: 'auto' }).methodFor(searcher)).toBeUndefined();
  });

  it('searches natively only with the capability and a provider whose adapter passes a search tool', () => {
    const registry = createProviderRegistry([
      provider('anthropic', 'anthropic'),
      provider('acme', 'openai-compatible'),
    ]);
    const check = nativeSearchIn(registry);
    const builtIns = ModelCatalog.withBuiltIns([{ id: 'acme/searcher', capabilities: ['search'] }]);
    expect(check(builtIns.resolve('anthropic/claude-sonnet-4-5'))).toBe(true);
    expect(check(builtIns.resolve('anthropic/claude-3-haiku'))).toBe(false);
    // The operator may claim the capability, but an OpenAI-compatible server has no tool we can pass.
    expect(check(builtIns.resolve('acme/searcher'))).toBe(false);
    expect(check(builtIns.resolve('local/echo'))).toBe(false);
  });
});
