import type { ModelCatalog } from '../../catalog/model-catalog.js';
import type { ModelInfo } from '../../catalog/model-info.js';
import type { ProviderRegistry } from '../../providers/provider-registry.js';
import type { ModelGroup } from '../../routing/model-pools.js';

/** The embedding models, beside the chat catalog (src/embeddings/embedding-catalog.ts). */
interface EmbeddingModels {
  get(id: string): ModelInfo | undefined;
  list(): ModelInfo[];
}

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
  kind: 'chat' | 'embedding' | 'group';
  /** A group's models (for `auto`, its default pool) and prompt routes. */
  models?: string[];
  routes?: string[];
}

const groupToOpenAIModel = (group: ModelGroup): OpenAIModel => ({
  id: group.id,
  object: 'model',
  created: 0,
  owned_by: 'switchyard',
  kind: 'group',
  models: group.models,
  routes: group.routes,
});

const toOpenAIModel = (info: ModelInfo, kind: OpenAIModel['kind']): OpenAIModel => ({
  id: info.id,
  object: 'model',
  created: 0,
  owned_by: info.provider,
  kind,
});

/** The catalog's models whose provider is configured: those a request can actually be routed to. */
export function listServedModels(
  catalog: ModelCatalog,
  registry: ProviderRegistry,
  embeddings: EmbeddingModels,
  groups: readonly ModelGroup[] = [],
): OpenAIModel[] {
  const served = (info: ModelInfo) => registry.get(info.provider)?.configured === true;
  return [
    ...catalog
      .list()
      .filter(served)
      .map((info) => toOpenAIModel(info, 'chat')),
    ...embeddings
      .list()
      .filter(served)
      .map((info) => toOpenAIModel(info, 'embedding')),
    ...groups.map(groupToOpenAIModel),
  ];
}

/** One served model by `provider/model` id, or undefined. */
export function findServedModel(
  id: string,
  catalog: ModelCatalog,
  registry: ProviderRegistry,
  embeddings: EmbeddingModels,
): OpenAIModel | undefined {
  const chat = catalog.get(id);
  const info = chat ?? embeddings.get(id);
  if (!info || registry.get(info.provider)?.configured !== true) return undefined;
  return toOpenAIModel(info, chat ? 'chat' : 'embedding');
}
