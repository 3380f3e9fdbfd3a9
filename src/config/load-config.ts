import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import {
  type ConfigFile,
  configFileSchema,
  type Env,
  envSchema,
  type ProviderKind,
} from './config-schema.js';
import { describeConfigIssue, type IssueSource, isSecretName, showValue } from './describe-config-issue.js';
import { baseUrlEnvOf, providerPresets } from './provider-presets.js';
import { resolveSearchSettings, type SearchSettings } from './resolve-search-settings.js';

/** One upstream provider as the gateway will use it. */
export interface ProviderSettings {
  name: string;
  kind: ProviderKind;
  baseURL: string;
  apiKeyEnv: string | undefined;
  apiKey: string | undefined;
  /** Keyless providers, and keyed ones whose key is set. */
  configured: boolean;
}

export type RoutingSettings = ConfigFile['routing'];

/** Everything the server needs, parsed once at boot. */
export interface Config {
  host: string;
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  redisPrefix: string;
  adminApiKey: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  production: boolean;
  shutdownGraceMs: number;
  providers: ProviderSettings[];
  models: ConfigFile['models'];
  routing: RoutingSettings;
  limits: ConfigFile['limits'];
  auth: ConfigFile['auth'];
  /** Web search grounding (`search: true`). */
  search: SearchSettings;
  /** Browser origins allowed by CORS; none by default. */
  cors: ConfigFile['cors'];
  /** Model groups (`group/<name>`) and prompt-aware routing (`auto`), SPEC §10. */
  groups: ConfigFile['groups'];
  autoRouting: ConfigFile['autoRouting'];
}

type EnvSource = Record<string, string | undefined>;

const describeIssues = (error: z.ZodError, source: IssueSource): string[] =>
  error.issues.flatMap((issue) => describeConfigIssue(issue, source));

const isHttpUrl = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);

function readConfigFile(explicit: string | undefined, cwd: string, problems: string[]): ConfigFile {
  // Named as the operator named it, so the line points at what they wrote.
  const label = explicit ?? 'switchyard.config.yaml';
  const path = resolve(cwd, label);
  const empty = configFileSchema.parse({});
  if (!existsSync(path)) {
    if (explicit !== undefined) problems.push(`SWITCHYARD_CONFIG: file not found: ${path}`);
    return empty;
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8')) ?? {};
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    problems.push(`${label}: cannot be parsed: ${reason}`);
    return empty;
  }
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push(
      ...describeIssues(parsed.error, { prefix: `${label}: `, input: raw, schema: configFileSchema }),
    );
    return empty;
  }
  const seen = new Set<string>();
  for (const [index, provider] of parsed.data.providers.entries()) {
    if (seen.has(provider.name))
      problems.push(`${label}: providers[${index}].name: "${provider.name}" is declared twice`);
    seen.add(provider.name);
  }
  return parsed.data;
}

function resolveProviders(file: ConfigFile, source: EnvSource): ProviderSettings[] {
  const byName = new Map<string, Omit<ProviderSettings, 'apiKey' | 'configured'>>();
  for (const preset of providerPresets) {
    byName.set(preset.name, { ...preset, baseURL: source[baseUrlEnvOf(preset.name)] || preset.baseURL });
  }
  for (const provider of file.providers) {
    byName.set(provider.name, { ...provider, apiKeyEnv: provider.apiKeyEnv });
  }
  return [...byName.values()].map((provider) => {
    const apiKey = provider.apiKeyEnv ? source[provider.apiKeyEnv] || undefined : undefined;
    return { ...provider, apiKey, configured: provider.apiKeyEnv === undefined || apiKey !== undefined };
  });
}

/**
 * Parses the environment and the optional config file.
 * Throws a ConfigError listing every problem found, not only the first.
 */
export function loadConfig(source: EnvSource = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const envResult = envSchema.safeParse(source);
  if (!envResult.success) {
    problems.push(
      ...describeIssues(envResult.error, {
        prefix: '',
        input: source,
        schema: envSchema,
        isSecret: ([name]) => typeof name === 'string' && isSecretName(name),
      }),
    );
  }
  const env = envResult.success ? envResult.data : envSchema.parse({});
  // Read even when the environment has problems, so that all of them are reported at once.
  const file = readConfigFile(source.SWITCHYARD_CONFIG || undefined, cwd, problems);
  for (const name of [...providerPresets.map((preset) => preset.name)]) {
    const variable = baseUrlEnvOf(name);
    const value = source[variable];
    if (value && !isHttpUrl(value)) problems.push(`${variable}: ${showValue(value)} is not an http(s) URL`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    dataDir: resolve(cwd, env.DATA_DIR),
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    adminApiKey: env.ADMIN_API_KEY,
    logLevel: env.LOG_LEVEL,
    production: env.NODE_ENV === 'production',
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    providers: resolveProviders(file, source),
    models: file.models,
    routing: file.routing,
    limits: file.limits,
    auth: file.auth,
    search: resolveSearchSettings(file.search, source),
    cors: file.cors,
    groups: file.groups,
    autoRouting: file.autoRouting,
  };
}
