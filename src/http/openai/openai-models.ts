import type { ModelCatalog } from '../../catalog/model-catalog.js';
import type { ModelInfo } from '../../catalog/model-info.js';
import type { ProviderRegistry } from '../../providers/provider-registry.js';

export interface OpenAIModel {
  id: string;
  object: 'model';
  /** Unix seconds; the catalog has no release dates, so 0 says "unknown". */
  created: number;
  owned_by: string;
}

const toOpenAIModel = (info: ModelInfo): OpenAIModel => ({
  id: info.id,
  object: 'model',
  created: 0,
  owned_by: info.provider,
});

/** The catalog's models whose provider is configured: those a request can actually be routed to. */
export function listServedModels(catalog: ModelCatalog, registry: ProviderRegistry): OpenAIModel[] {
  return catalog
    .list()
    .filter((info) => registry.get(info.provider)?.configured === true)
    .map(toOpenAIModel);
}

/** One served model by `provider/model` id, or undefined. */
export function findServedModel(
  id: string,
  catalog: ModelCatalog,
  registry: ProviderRegistry,
): OpenAIModel | undefined {
  const info = catalog.get(id);
  return info && registry.get(info.provider)?.configured === true ? toOpenAIModel(info) : undefined;
}
