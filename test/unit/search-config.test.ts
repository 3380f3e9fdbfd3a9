import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';

const withFile = (content: unknown, env: Record<string, string> = {}) => {
  const cwd = mkdtempSync(join(tmpdir(), 'switchyard-search-config-'));
  const path = join(cwd, 'switchyard.config.json');
  writeFileSync(path, JSON.stringify(content));
  return () => loadConfig({ SWITCHYARD_CONFIG: path, ...env }, cwd);
};

const problemsOf = (load: () => unknown): string[] => {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('the search section of the config file', () => {
  it('has no backend by default, mode auto, not required', () => {
    expect(withFile({})().search).toEqual({
      backend: undefined,
      backendMissingReason: 'no search backend is configured',
      mode: 'auto',
      required: false,
    });
  });

  it('fills in defaults, the hosted endpoint and the key, and prices searches in pico-dollars', () => {
    const config = withFile(
      {
        search: {
          backend: { kind: 'tavily', apiKeyEnv: 'MY_TAVILY', pricePerSearch: 0.008 },
          required: true,
        },
      },
      { MY_TAVILY: 'tvly-1' },
    )();
    expect(config.search).toEqual({
      backend: {
        kind: 'tavily',
        baseURL: 'https://api.tavily.com',
        apiKeyEnv: 'MY_TAVILY',
        apiKey: 'tvly-1',
        results: 5,
        timeoutMs: 5_000,
        pricePerSearch: 8_000_000_000,
      },
      backendMissingReason: undefined,
      mode: 'auto',
      required: true,
    });
  });

  it('takes a SearXNG instance without a key and drops a trailing slash', () => {
    const { backend } = withFile({
      search: { backend: { kind: 'searxng', baseURL: 'http://127.0.0.1:8888/' } },
    })().search;
    expect(backend).toMatchObject({ kind: 'searxng', baseURL: 'http://127.0.0.1:8888', apiKey: undefined });
  });

  it('leaves a hosted backend whose key variable is unset unconfigured, saying why', () => {
    const { search } = withFile({ search: { backend: { kind: 'brave', apiKeyEnv: 'NO_SUCH_KEY' } } })();
    expect(search.backend).toBeUndefined();
    expect(search.backendMissingReason).toBe(
      'the brave search backend is not configured (NO_SUCH_KEY is not set)',
    );
  });

  it('reports each problem of the section on its own line', () => {
    const problems = problemsOf(
      withFile({
        search: {
          backend: { kind: 'searxng', results: 0, timeoutMs: -5, pricePerSearch: -1, extra: true },
          mode: 'sometimes',
          required: 'yes',
        },
      }),
    );
    for (const path of [
      'search.backend.results',
      'search.backend.timeoutMs',
      'search.backend.pricePerSearch',
      'search.backend',
      'search.mode',
      'search.required',
    ]) {
      expect(problems.some((problem) => problem.includes(`: ${path}: `))).toBe(true);
    }
    expect(problemsOf(withFile({ search: { backend: { kind: 'bing' } } }))).toEqual([
      expect.stringMatching(/: search\.backend\.kind: /),
    ]);
    expect(problemsOf(withFile({ search: { backend: { kind: 'searxng' } } }))).toEqual([
      expect.stringMatching(/: search\.backend\.baseURL: is required for searxng$/),
    ]);
    expect(problemsOf(withFile({ search: { backend: { kind: 'tavily' } } }))).toEqual([
      expect.stringMatching(/: search\.backend\.apiKeyEnv: is required for tavily$/),
    ]);
  });
});
