import type { ProviderKind } from './config-schema.js';

/** A provider Switchyard knows without a config file. */
export interface ProviderPreset {
  name: string;
  kind: ProviderKind;
  baseURL: string;
  /** Variable holding the key; `undefined` for keyless local servers. */
  apiKeyEnv: string | undefined;
}

const keyed = (name: string, kind: ProviderKind, baseURL: string): ProviderPreset => ({
  name,
  kind,
  baseURL,
  apiKeyEnv: `${name.toUpperCase()}_API_KEY`,
});

/** Built-in providers and presets for common OpenAI-compatible APIs. */
export const providerPresets: readonly ProviderPreset[] = [
  keyed('openai', 'openai', 'https://api.openai.com/v1'),
  keyed('anthropic', 'anthropic', 'https://api.anthropic.com/v1'),
  {
    ...keyed('google', 'google', 'https://generativelanguage.googleapis.com/v1beta'),
    apiKeyEnv: 'GEMINI_API_KEY',
  },
  keyed('groq', 'openai-compatible', 'https://api.groq.com/openai/v1'),
  keyed('mistral', 'openai-compatible', 'https://api.mistral.ai/v1'),
  keyed('deepseek', 'openai-compatible', 'https://api.deepseek.com/v1'),
  keyed('xai', 'openai-compatible', 'https://api.x.ai/v1'),
  keyed('together', 'openai-compatible', 'https://api.together.xyz/v1'),
  keyed('fireworks', 'openai-compatible', 'https://api.fireworks.ai/inference/v1'),
  keyed('openrouter', 'openai-compatible', 'https://openrouter.ai/api/v1'),
  { name: 'ollama', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1', apiKeyEnv: undefined },
  { name: 'vllm', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:8000/v1', apiKeyEnv: undefined },
];

/** The environment variable that overrides a provider's base URL. */
export const baseUrlEnvOf = (providerName: string): string =>
  providerName === 'google'
    ? 'GEMINI_BASE_URL'
    : `${providerName.toUpperCase().replaceAll('-', '_')}_BASE_URL`;
