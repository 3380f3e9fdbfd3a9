import type { ProviderKind } from '../../config/config-schema.js';

/**
 * How one server departs from OpenAI's own Chat Completions: fixed per provider, so the
 * request body and the parameter table read flags instead of testing names per call.
 */
export interface OpenAIDialect {
  /** `openai` is OpenAI itself; `compatible` any other server; the others, servers with quirks. */
  readonly name: 'openai' | 'compatible' | 'mistral';
  /** Ask for the usage chunk with `stream_options` (servers that refuse the field send usage anyway). */
  readonly streamOptions: boolean;
  /** The body field of `seed`. */
  readonly seedField: 'seed' | 'random_seed';
  /** A tool call id as the server takes it (ids from other providers may not fit its rule). */
  readonly toolCallId: ((id: string) => string) | undefined;
}

const openai: OpenAIDialect = {
  name: 'openai',
  streamOptions: true,
  seedField: 'seed',
  toolCallId: undefined,
};
const compatible: OpenAIDialect = { ...openai, name: 'compatible' };

const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const fnv1a = (text: string, seed: number): number => {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
  return hash;
};

/**
 * Mistral takes only ids of 9 letters and digits. Others' ids (`call_…`, `toolu_…`) are
 * replaced by one derived from them, the same in the assistant's call and the tool's answer.
 */
export function mistralToolCallId(id: string): string {
  if (/^[a-zA-Z0-9]{9}$/.test(id)) return id;
  let high = fnv1a(id, 2166136261);
  let low = fnv1a(id, 0x9e3779b9);
  let out = '';
  for (let i = 0; i < 9; i++) {
    // 9 digits from 64 bits of two hashes: 5 from one, 4 from the other.
    const source = i < 5 ? high : low;
    out += base62[source % 62];
    if (i < 5) high = Math.floor(high / 62);
    else low = Math.floor(low / 62);
  }
  return out;
}

/**
 * Mistral's API validates the body strictly (an unknown field is a 422, `stream_options`
 * included; it sends usage in the last chunk anyway), names the seed `random_seed` and wants
 * its own tool call ids. Found by host, so that a preset pointed at a proxy speaks plain OpenAI.
 */
const mistral: OpenAIDialect = {
  name: 'mistral',
  streamOptions: false,
  seedField: 'random_seed',
  toolCallId: mistralToolCallId,
};

/** The dialect of a provider of `kind` reached at `url`. */
export function dialectOf(kind: ProviderKind, url: URL): OpenAIDialect {
  if (kind === 'openai') return openai;
  if (url.hostname === 'api.mistral.ai') return mistral;
  return compatible;
}
