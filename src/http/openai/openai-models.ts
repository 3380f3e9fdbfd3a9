import type { ServedModel } from '../../catalog/served-models.js';

export interface OpenAIModel {
  id: string;
  object: 'model';
  /** Unix seconds; the catalog has no release dates, so 0 says "unknown". */
  created: number;
  owned_by: string;
  /**
   * Switchyard's: `chat` models serve /v1/chat/completions, `embedding` ones /v1/embeddings;
   * a `group` (`group/<name>`, `auto`) names a pool of chat models.
   */
  kind: ServedModel['kind'];
  /** A group's models (for `auto`, its default pool) and prompt routes. */
  models?: string[];
  routes?: string[];
}

/** A served model in OpenAI's `Model` shape, with our `kind` (and a group's models) beside it. */
export const toOpenAIModel = (model: ServedModel): OpenAIModel => ({
  id: model.id,
  object: 'model',
  created: 0,
  owned_by: model.provider,
  kind: model.kind,
  ...(model.models ? { models: model.models } : {}),
  ...(model.routes ? { routes: model.routes } : {}),
});
