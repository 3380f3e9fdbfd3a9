import type { Principal } from '../auth/principal.js';
import type { ModelCatalog } from '../catalog/model-catalog.js';
import type { CompletionService } from '../completions/completion-service.js';
import type { Database } from '../db/database.js';
import type { EmbeddingCatalog } from '../embeddings/embedding-catalog.js';
import type { ActivityFeed } from '../events/activity-feed.js';
import type { KeyActivity } from '../events/key-activity.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { Clock } from '../routing/clock.js';
import type { HealthSource } from '../routing/model-health.js';
import type { ApiKeyStore } from '../store/api-key-store.js';
import type { CompletionRecorder } from '../store/completion-recorder.js';
import type { ConversationQueries } from '../store/conversation-queries.js';
import type { UsageQueries } from '../store/usage-queries.js';

/** What the GraphQL layer needs from the rest of the gateway, wired once in app.ts. */
export interface GraphQLServices {
  database: Database;
  service: CompletionService;
  recorder: CompletionRecorder;
  catalog: ModelCatalog;
  /** The embedding models (`POST /v1/embeddings`), listed with the chat catalog's. */
  embeddingModels: EmbeddingCatalog;
  registry: ProviderRegistry;
  apiKeys: ApiKeyStore;
  conversations: ConversationQueries;
  usage: UsageQueries;
  clock: Clock;
  /** Live model health, kept by the router. */
  health: HealthSource;
  /** Finished completions and appended turns, from every instance (activity subscriptions). */
  activity: ActivityFeed;
  /** Whether a subscriber's key is still active (checked per event). */
  keyActivity: KeyActivity;
}

/** What every resolver gets. */
export interface GraphQLContext extends GraphQLServices {
  principal: Principal;
  /** `clock.now()` when the operation arrived (HTTP request or WebSocket subscribe). */
  startedAt: number;
  /** Aborted when the HTTP client goes away; WebSocket operations end through their iterator instead. */
  signal: AbortSignal | undefined;
}
