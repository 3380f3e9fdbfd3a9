import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { ModelGroup } from '../routing/model-pools.js';
import type { ModelCatalog } from './model-catalog.js';
import type { ModelInfo } from './model-info.js';

/** The embedding models, beside the chat catalog (src/embeddings/embedding-catalog.ts). */
export interface EmbeddingModels {
  get(id: string): ModelInfo | undefined;
  list(): ModelInfo[];
}

/** A model a request can name here, as every model listing (of every surface) shows it. */
export interface ServedModel {
  id: string;
  /** The provider that serves it; `switchyard` for a group. */
  provider: string;
  /**
   * `chat` models serve completions, `embedding` ones embeddings; a `group`
   * (`group/<name>`, `auto`) names a pool of chat models.
   */
  kind: 'chat' | 'embedding' | 'group';
  /** A group's models (for `auto`, its default pool) and prompt routes. */
  models?: string[];
  routes?: string[];
  /** From the catalog, when known (never for a group). */
  contextWindow?: number | undefined;
  maxOutputTokens?: number | undefined;
}

export interface ServedModelSources {
  catalog: ModelCatalog;
  registry: ProviderRegistry;
  embeddings: EmbeddingModels;
  groups?: readonly ModelGroup[];
}

const ofInfo = (info: ModelInfo, kind: 'chat' | 'embedding'): ServedModel => ({
  id: info.id,
  provider: info.provider,
  kind,
  contextWindow: info.contextWindow,
  maxOutputTokens: info.maxOutputTokens,
});

/** The catalog's models whose provider is configured (those a request can actually be routed to), then the groups. */
export function listServedModels({
  catalog,
  registry,
  embeddings,
  groups = [],
}: ServedModelSources): ServedModel[] {
  const served = (info: ModelInfo) => registry.get(info.provider)?.configured === true;
  return [
    ...catalog
      .list()
      .filter(served)
      .map((info) => ofInfo(info, 'chat')),
    ...embeddings
      .list()
      .filter(served)
      .map((info) => ofInfo(info, 'embedding')),
    ...groups.map(
      (group): ServedModel => ({
        id: group.id,
        provider: 'switchyard',
        kind: 'group',
        models: group.models,
        routes: group.routes,
      }),
    ),
  ];
}

/** One served chat or embedding model by `provider/model` id, or undefined. */
export function findServedModel(
  id: string,
  { catalog, registry, embeddings }: ServedModelSources,
): ServedModel | undefined {
  const chat = catalog.get(id);
  const info = chat ?? embeddings.get(id);
  if (!info || registry.get(info.provider)?.configured !== true) return undefined;
  return ofInfo(info, chat ? 'chat' : 'embedding');
}
