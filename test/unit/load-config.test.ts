import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'switchyard-config-'));

const problemsOf = (env: Record<string, string>, cwd = tempDir()): string[] => {
  try {
    loadConfig(env, cwd);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('loadConfig', () => {
  it('uses the documented defaults with an empty environment', () => {
    const config = loadConfig({}, tempDir());
    expect(config).toMatchObject({ host: '127.0.0.1', port: 4000, databaseUrl: undefined });
    expect(config.routing).toEqual({
      strategy: 'balanced',
      timeoutMs: 120_000,
      ttftTimeoutMs: 30_000,
      idleTimeoutMs: 30_000,
      maxRetryAfterMs: 30_000,
      contentFilterFallback: false,
      circuitBreaker: {
        consecutiveFailures: 5,
        failureRate: 0.5,
        minimumAttempts: 10,
        windowMs: 60_000,
        cooldownMs: 30_000,
      },
      midStream: 'continue',
      maxContinuations: 2,
      hedge: { enabled: false, maxParallel: 2 },
    });
    expect(config.limits.maxBodyBytes).toBe(10 * 1024 * 1024);
  });

  it('configures a provider only when its key is set, and points it at its *_BASE_URL', () => {
    const config = loadConfig(
      { OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
      tempDir(),
    );
    const byName = new Map(config.providers.map((p) => [p.name, p]));
    expect(byName.get('openai')).toMatchObject({
      configured: true,
      baseURL: 'http://127.0.0.1:9/v1',
      apiKey: 'sk-x',
    });
    expect(byName.get('anthropic')).toMatchObject({
      configured: false,
      baseURL: 'https://api.anthropic.com/v1',
    });
    expect(byName.get('google')).toMatchObject({ configured: false, apiKeyEnv: 'GEMINI_API_KEY' });
    expect(byName.get('ollama')).toMatchObject({ configured: true, apiKeyEnv: undefined });
  });

  it('reads extra providers, models and routing from the config file', () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'switchyard.config.yaml'),
      [
        'providers:',
        '  - name: acme',
        '    kind: openai-compatible',
        '    baseURL: http://127.0.0.1:9000/v1',
        '    apiKeyEnv: ACME_API_KEY',
        'models:',
        '  - id: acme/fast-1',
        '    contextWindow: 32000',
        '    inputPricePerMTok: 0.5',
        '    outputPricePerMTok: 4',
        'routing:',
        '  strategy: cheapest',
      ].join('\n'),
    );
    const config = loadConfig({ ACME_API_KEY: 'k' }, cwd);
    expect(config.providers.find((p) => p.name === 'acme')).toMatchObject({ configured: true, apiKey: 'k' });
    expect(config.models[0]).toMatchObject({ id: 'acme/fast-1', contextWindow: 32000 });
    expect(config.routing.strategy).toBe('cheapest');
    expect(config.routing.timeoutMs).toBe(120_000);
  });

  it('reports every problem, one line each', () => {
    const cwd = tempDir();
    const file = join(cwd, 'bad.yaml');
    writeFileSync(
      file,
      'routing:\n  strategy: fancy\n  timeoutMs: -1\nproviders:\n  - name: Bad Name\n    kind: x\n    baseURL: nope\n',
    );
    const problems = problemsOf(
      { PORT: 'abc', DATABASE_URL: 'mysql://x', SWITCHYARD_CONFIG: file, OPENAI_BASE_URL: 'not a url' },
      cwd,
    );
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DATABASE_URL:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('OPENAI_BASE_URL:'))).toBe(true);
    for (const path of [
      'routing.strategy',
      'routing.timeoutMs',
      'providers[0].name',
      'providers[0].kind',
      'providers[0].baseURL',
    ]) {
      expect(problems.some((p) => p.includes(`${file}: ${path}:`))).toBe(true);
    }
    expect(problemsOf({ SWITCHYARD_CONFIG: '/nonexistent/switchyard.yaml' })).toEqual([
      'SWITCHYARD_CONFIG: file not found: /nonexistent/switchyard.yaml',
    ]);
    expect(problemsOf({}, tempDir())).toEqual([]);
  });

  it('stops the server at boot with exit code 2 and one line per problem', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, PORT: 'not-a-port', DATABASE_URL: 'mysql://nope', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^config error: PORT: /);
    expect(lines[1]).toMatch(/^config error: DATABASE_URL: /);
  });
});
