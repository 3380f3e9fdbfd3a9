import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';

/** The problems loadConfig reports for this environment and, if given, this config file. */
function problemsOf(env: Record<string, string>, file?: string): string[] {
  const cwd = mkdtempSync(join(tmpdir(), 'switchyard-config-'));
  if (file !== undefined) writeFileSync(join(cwd, 'switchyard.config.yaml'), file);
  try {
    loadConfig(env, cwd);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const fileProblems = (file: string) => problemsOf({}, file);

describe('configuration errors name the place, the value received and what is allowed', () => {
  it('names an enum value that is not allowed, and the allowed ones', () => {
    expect(
      fileProblems('providers:\n  - name: acme\n    kind: bogus\n    baseURL: http://127.0.0.1:9/v1\n'),
    ).toEqual([
      'switchyard.config.yaml: providers[0].kind: "bogus" is not one of openai, anthropic, google, openai-compatible',
    ]);
    expect(fileProblems('routing:\n  strategy: fancy\n')).toEqual([
      'switchyard.config.yaml: routing.strategy: "fancy" is not one of balanced, ordered, cheapest, fastest',
    ]);
  });

  it('names a value of the wrong type and the type wanted', () => {
    expect(fileProblems('routing:\n  timeoutMs: fast\n')).toEqual([
      'switchyard.config.yaml: routing.timeoutMs: "fast" is not a number',
    ]);
    expect(fileProblems('routing:\n  timeoutMs: 1.5\n')).toEqual([
      'switchyard.config.yaml: routing.timeoutMs: 1.5 is not an integer',
    ]);
    expect(fileProblems('limits: 5\n')).toEqual([
      'switchyard.config.yaml: limits: 5 is not an object (a mapping of keys)',
    ]);
    expect(fileProblems('routing:\n  contentFilterFallback: maybe\n')).toEqual([
      'switchyard.config.yaml: routing.contentFilterFallback: "maybe" is not true or false',
    ]);
  });

  it('names a number out of range and the bound it passed', () => {
    expect(fileProblems('routing:\n  timeoutMs: -1\n')).toEqual([
      'switchyard.config.yaml: routing.timeoutMs: -1 is out of range: must be greater than 0',
    ]);
    expect(fileProblems('routing:\n  circuitBreaker:\n    failureRate: 2\n')).toEqual([
      'switchyard.config.yaml: routing.circuitBreaker.failureRate: 2 is out of range: must be at most 1',
    ]);
  });

  it('names an unknown key, the keys allowed there, and the likely typo', () => {
    expect(fileProblems('routing:\n  stratgy: cheapest\n')).toEqual([
      expect.stringMatching(
        /^switchyard\.config\.yaml: routing: "stratgy" is not one of the keys strategy, timeoutMs, .* \(did you mean "strategy"\?\)$/,
      ),
    ]);
    expect(fileProblems('provider: []\n')).toEqual([
      expect.stringMatching(
        /^switchyard\.config\.yaml: \(top level\): "provider" is not one of the keys providers, models, .*\(did you mean "providers"\?\)$/,
      ),
    ]);
    const [problem] = fileProblems(
      'providers:\n  - name: acme\n    kind: openai\n    baseURL: http://127.0.0.1:9/v1\n    colour: red\n',
    );
    expect(problem).toBe(
      'switchyard.config.yaml: providers[0]: "colour" is not one of the keys name, kind, baseURL, apiKeyEnv',
    );
  });

  it('names a malformed URL or pattern with the value received', () => {
    expect(fileProblems('providers:\n  - name: Acme Corp\n    kind: openai\n    baseURL: nope\n')).toEqual([
      'switchyard.config.yaml: providers[0].name: "Acme Corp" must be lowercase letters, digits, "-" or "_"',
      'switchyard.config.yaml: providers[0].baseURL: "nope" is not an http(s) URL',
    ]);
  });

  it('names the file as SWITCHYARD_CONFIG names it', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'switchyard-config-'));
    writeFileSync(join(cwd, 'gateway.yaml'), 'routing:\n  strategy: fancy\n');
    expect(() => loadConfig({ SWITCHYARD_CONFIG: 'gateway.yaml' }, cwd)).toThrow(
      /gateway\.yaml: routing\.strategy: "fancy" is not one of/,
    );
  });

  it('names an invalid environment variable and the value it holds', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual(['PORT: "abc" is not a number']);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT: "70000" is out of range: must be at most 65535']);
    expect(problemsOf({ LOG_LEVEL: 'loud' })).toEqual([
      'LOG_LEVEL: "loud" is not one of fatal, error, warn, info, debug, trace, silent',
    ]);
    expect(problemsOf({ OPENAI_BASE_URL: 'ftp://example.com' })).toEqual([
      'OPENAI_BASE_URL: "ftp://example.com" is not an http(s) URL',
    ]);
  });

  it('never prints a secret: key variables are redacted, URL passwords masked', () => {
    const secret = 'hunter2-secret';
    const problems = problemsOf({
      ADMIN_API_KEY: secret,
      DATABASE_URL: `mysql://admin:${secret}@db/switchyard`,
    });
    expect(problems).toEqual([
      'DATABASE_URL: "mysql://admin:***@db/switchyard" must start with postgres://, postgresql:// or memory://',
      'ADMIN_API_KEY: a secret value of 14 characters (not shown) is too short: must be at least 16 characters',
    ]);
    expect(problems.join('\n')).not.toContain(secret);
  });
});
