import type { ProviderKind } from '../../src/config/config-schema.js';
import type { ChatMessage } from '../../src/core/messages.js';
import { createProviderRegistry } from '../../src/providers/create-provider-registry.js';
import type { LanguageModel, ModelCall, ProviderStreamPart } from '../../src/providers/provider.js';

export const testApiKey = 'sk-test-secret-key-0123456789';

/** A model of one provider of the given wire format, reached at `baseURL`, built by the real registry. */
export function modelAt(
  kind: ProviderKind,
  baseURL: string,
  model: string,
  options: { apiKey?: string } = {},
): LanguageModel {
  const registry = createProviderRegistry([
    {
      name: 'upstream',
      kind,
      baseURL,
      apiKeyEnv: 'UPSTREAM_API_KEY',
      apiKey: options.apiKey ?? testApiKey,
      configured: true,
    },
  ]);
  return registry.get('upstream')!.languageModel(model);
}

export const userSays = (text: string): ChatMessage[] => [
  { role: 'user', content: [{ type: 'text', text }] },
];

/** Every part the model yields for one call. */
export async function collect(
  model: LanguageModel,
  call: Partial<ModelCall> & Pick<ModelCall, 'messages'>,
): Promise<ProviderStreamPart[]> {
  const parts: ProviderStreamPart[] = [];
  for await (const part of model.stream({ signal: new AbortController().signal, ...call })) parts.push(part);
  return parts;
}

export const textOfParts = (parts: ProviderStreamPart[]): string =>
  parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');

/** The last part, which must be the only `finish` or `error` one. */
export function finalPart(parts: ProviderStreamPart[]): ProviderStreamPart {
  const finals = parts.filter((part) => part.type === 'finish' || part.type === 'error');
  if (finals.length !== 1 || finals[0] !== parts.at(-1))
    throw new Error(`expected exactly one final part at the end, got ${JSON.stringify(parts)}`);
  return finals[0]!;
}

/** The error a stream ended with (fails the test when it finished instead). */
export function errorOf(parts: ProviderStreamPart[]) {
  const last = finalPart(parts);
  if (last.type !== 'error') throw new Error(`expected an error part, got ${JSON.stringify(last)}`);
  return last.error;
}
