import type { ServedModel } from '../../catalog/served-models.js';
import { GatewayError } from '../../core/gateway-error.js';

/** Anthropic's `ModelInfo` (GET /v1/models), filled from what the catalog knows. */
export interface AnthropicModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  /** RFC 3339; the catalog has no release dates, so the epoch says "unknown". */
  created_at: string;
  capabilities: null;
  deprecated_at: null;
  lifecycle: 'active';
  line: null;
  max_input_tokens: number | null;
  max_tokens: number | null;
  retires_at: null;
}

export interface AnthropicModelPage {
  data: AnthropicModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

const unknownDate = '1970-01-01T00:00:00Z';
const defaultLimit = 20;
const maxLimit = 1000;

export const toAnthropicModel = (model: ServedModel): AnthropicModelInfo => ({
  type: 'model',
  id: model.id,
  display_name: model.id,
  created_at: unknownDate,
  capabilities: null,
  deprecated_at: null,
  lifecycle: 'active',
  line: null,
  max_input_tokens: model.contextWindow ?? null,
  max_tokens: model.maxOutputTokens ?? null,
  retires_at: null,
});

/** The models an Anthropic client can send to /v1/messages: chat models and groups, not embeddings. */
export const messagesModels = (models: readonly ServedModel[]): ServedModel[] =>
  models.filter((model) => model.kind !== 'embedding');

function limitOf(query: URLSearchParams): number {
  const text = query.get('limit');
  if (text === null) return defaultLimit;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit)
    throw new GatewayError(
      'invalid_request',
      `invalid request: limit: must be an integer from 1 to ${maxLimit}, got ${JSON.stringify(text)}`,
      { param: 'limit' },
    );
  return limit;
}

function positionOf(models: readonly ServedModel[], name: 'after_id' | 'before_id', id: string): number {
  const position = models.findIndex((model) => model.id === id);
  if (position < 0)
    throw new GatewayError(
      'invalid_request',
      `invalid request: ${name}: "${id}" is not a model listed here; GET /v1/models lists those that are`,
      { param: name },
    );
  return position;
}

/**
 * One page of the list, as Anthropic pages it: `limit` models after `after_id`, or the
 * `limit` models just before `before_id`, with the cursors of the page's ends.
 */
export function pageOfModels(models: readonly ServedModel[], query: URLSearchParams): AnthropicModelPage {
  const limit = limitOf(query);
  const after = query.get('after_id');
  const before = query.get('before_id');
  let start = 0;
  let end = Math.min(models.length, limit);
  if (before !== null) {
    end = positionOf(models, 'before_id', before);
    start = Math.max(0, end - limit);
  } else if (after !== null) {
    start = positionOf(models, 'after_id', after) + 1;
    end = Math.min(models.length, start + limit);
  }
  const data = models.slice(start, end).map(toAnthropicModel);
  return {
    data,
    has_more: before !== null ? start > 0 : end < models.length,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
}
