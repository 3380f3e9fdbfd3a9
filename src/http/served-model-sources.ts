import type { ModelCatalog } from '../catalog/model-catalog.js';
import type { ServedModelSources } from '../catalog/served-models.js';
import type { CompletionService } from '../completions/completion-service.js';
import type { EmbeddingService } from '../embeddings/embedding-service.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';

/** What a surface's model listing needs from the server's dependencies. */
export interface ModelListingDeps {
  catalog: ModelCatalog;
  registry: ProviderRegistry;
  embeddings: EmbeddingService;
  service: CompletionService;
}

/** Where the model listings of every surface come from: the same models, each in its surface's shape. */
export const servedModelSources = (deps: ModelListingDeps): ServedModelSources => ({
  catalog: deps.catalog,
  registry: deps.registry,
  embeddings: deps.embeddings.catalog,
  groups: deps.service.groups,
});
