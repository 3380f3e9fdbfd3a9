import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { PrincipalCache } from './auth/principal-cache.js';
import { ModelCatalog } from './catalog/model-catalog.js';
import { CompletionService } from './completions/completion-service.js';
import { embedderThrough } from './completions/prompt-embedder.js';
import type { Config } from './config/load-config.js';
import { type Database, openDatabase } from './db/database.js';
import { migrateDatabase } from './db/migrate.js';
import { EmbeddingCatalog } from './embeddings/embedding-catalog.js';
import { EmbeddingService } from './embeddings/embedding-service.js';
import { EmbeddingRouter } from './embeddings/route-embeddings.js';
import { createLocalActivityFeed, createRedisActivityFeed } from './events/activity-feed.js';
import { KeyActivity } from './events/key-activity.js';
import { createGraphQLServer } from './graphql/create-yoga.js';
import { createGraphQLSse, isSingleConnectionRequest } from './graphql/sse-single-connection.js';
import { attachGraphQLWebSocket } from './graphql/websocket-server.js';
import { createCorsPolicy } from './http/cors.js';
import { createRequestHandler } from './http/http-server.js';
import {
  type ConcurrencyLimiter,
  MemoryConcurrencyLimiter,
  RedisConcurrencyLimiter,
} from './limits/concurrency-limiter.js';
import { MinuteRateLimiter } from './limits/minute-rate-limiter.js';
import { RequestLimiter } from './limits/request-limiter.js';
import { createLogger } from './logging/logger.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { createEmbeddingProviders } from './providers/embeddings/create-embedding-providers.js';
import { loadProviderRegistry } from './providers/load-provider-registry.js';
import { type Clock, systemClock } from './routing/clock.js';
import { HealthTracker } from './routing/health-tracker.js';
import { ModelPools } from './routing/model-pools.js';
import { PromptRouteMatcher } from './routing/prompt-route-matcher.js';
import { Router } from './routing/route-completion.js';
import { nativeSearchIn } from './search/search-availability.js';
import { WebSearch } from './search/web-search.js';
import { RedisClients } from './shared-state/redis-clients.js';
import { shareFiguresThroughRedis } from './shared-state/redis-figures-sync.js';
import { shareHealthThroughRedis } from './shared-state/redis-health-sync.js';
import { ApiKeyStore } from './store/api-key-store.js';
import { BudgetStore } from './store/budget-store.js';
import { CompletionRecorder } from './store/completion-recorder.js';
import { ConversationQueries } from './store/conversation-queries.js';
import { ConversationStore } from './store/conversation-store.js';
import { KeyChangeNotices, newInstanceListenerName } from './store/key-change-notices.js';
import { ResponseQueries } from './store/response-queries.js';
import { RouteVectorTable } from './store/route-vector-store.js';
import { UsageQueries } from './store/usage-queries.js';
import { startUsageRollup, UsageRollup } from './store/usage-rollup.js';

export interface AppOptions {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
  /** An already open database (tests share a migrated dump); otherwise opened from the config. */
  database?: Database;
  /** Called once with the secret of an admin key created at first boot. */
  onFirstAdminKey?: (secret: string) => void;
}

export interface App {
  /** `http://host:port` once started. */
  readonly url: string;
  readonly database: Database;
  readonly recorder: CompletionRecorder;
  readonly apiKeys: ApiKeyStore;
  start(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish within the grace period, flushes and closes. */
  stop(): Promise<void>;
}

/** Arbitrary constant shared by every instance that boots on the same database (see migrate.ts). */
const adminKeyLockId = 0x5377_7962;

/** Active keys remembered at most; beyond that the oldest is read again when next used. */
const maxCachedKeys = 10_000;

/** Wires the gateway together; nothing listens until `start()`. */
export async function createApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const database =
    options.database ??
    (await openDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir,
      // How the other instances find this one, to wait for it when a key is revoked.
      listenerName: newInstanceListenerName(),
    }));
  await migrateDatabase(database);

  const keyCache =
    config.auth.keyCacheTtlMs > 0
      ? new PrincipalCache(config.auth.keyCacheTtlMs, maxCachedKeys, () => clock.now())
      : undefined;
  const apiKeys = new ApiKeyStore(database.db, keyCache, new KeyChangeNotices(database, { logger }));
  const stopFollowingKeys = await apiKeys.followChanges();
  // Instances booting together take turns here, so they neither insert the same admin key
  // twice nor each create a first-boot key.
  await database.withLock(adminKeyLockId, async () => {
    if (config.adminApiKey) await apiKeys.ensureAdminKey(config.adminApiKey);
    else if ((await apiKeys.count()) === 0) {
      const created = await apiKeys.create('admin (first boot)', ['admin']);
      options.onFirstAdminKey?.(created.secret);
    }
  });

  const metrics = new GatewayMetrics();
  const recorder = new CompletionRecorder(database.db, logger, (record) => metrics.observe(record));
  metrics.trackRecorder(recorder);
  // `kind: embedding` entries of the config file are embedding models, never chat candidates.
  const catalog = ModelCatalog.withBuiltIns(config.models.filter((model) => model.kind !== 'embedding'));
  const embeddingModels = EmbeddingCatalog.withBuiltIns(config.models);
  const registry = await loadProviderRegistry(config.providers);
  const health = new HealthTracker(clock, config.routing.circuitBreaker);
  // Redis need not answer at boot: everything shared through it falls back to this instance
  // alone until it does (see redis-clients.ts).
  const redis = config.redisUrl ? new RedisClients(config.redisUrl, logger) : undefined;
  const redisShared = redis && { redis, prefix: config.redisPrefix, logger };
  // Circuits, the figures that rank candidates, activity events: merged over the fleet.
  const healthSync = redisShared && shareHealthThroughRedis(health, redisShared);
  const figuresSync = redisShared && shareFiguresThroughRedis(health, redisShared);
  const activity = redisShared ? createRedisActivityFeed(redisShared) : createLocalActivityFeed();
  recorder.onWritten = (records) => activity.publish(records);
  const router = new Router(config.routing, clock, health, options.random);
  // Commands fail fast instead of queueing while Redis is away (the limiters then count in process).
  const limitsRedis = redis?.commands('limits');
  // When Redis answers, the first requests already count in the shared windows and the
  // subscriptions are in place before serving; when it does not, boot goes on within 2 s.
  await redis?.settled();
  // A concurrency slot or budget reservation outlives the longest possible request (its time
  // limit, plus as long again for settling, between 5 s and a minute), so only those of an
  // instance that died mid-request ever expire.
  const heldForMs = config.routing.timeoutMs + Math.min(60_000, Math.max(5_000, config.routing.timeoutMs));
  const concurrency: ConcurrencyLimiter = limitsRedis
    ? new RedisConcurrencyLimiter(limitsRedis, `${config.redisPrefix}:`, heldForMs)
    : new MemoryConcurrencyLimiter();
  const limiter = new RequestLimiter({
    rates: new MinuteRateLimiter(limitsRedis, `${config.redisPrefix}:`),
    concurrency,
    budgets: new BudgetStore(database.db, heldForMs),
    logger,
  });
  const service = new CompletionService({
    catalog,
    registry,
    router,
    conversations: new ConversationStore(database.db),
    recorder,
    clock,
    defaultStrategy: config.routing.strategy,
    search: new WebSearch(config.search, { logger, nativeSearch: nativeSearchIn(registry) }),
    limiter,
    pools: new ModelPools(config.groups, config.autoRouting),
    // `auto` and groups with routes embed through the embeddings service (made just below).
    promptRoutes: new PromptRouteMatcher(
      embedderThrough(() => embeddings, clock),
      new RouteVectorTable(database.db),
    ),
  });
  const embeddings = new EmbeddingService({
    catalog: embeddingModels,
    chatCatalog: catalog,
    providers: createEmbeddingProviders(config.providers),
    health,
    router: new EmbeddingRouter({
      settings: config.routing,
      clock,
      health,
      random: options.random ?? Math.random,
    }),
    limiter,
    recorder,
    clock,
    defaultStrategy: config.routing.strategy,
  });
  const yoga = createGraphQLServer({
    services: {
      database,
      service,
      recorder,
      catalog,
      embeddingModels,
      registry,
      apiKeys,
      conversations: new ConversationQueries(database.db),
      usage: new UsageQueries(database.db),
      clock,
      health,
      activity,
      keyActivity: new KeyActivity(database.db, () => clock.now()),
    },
    graphiql: !config.production,
    maxBodyBytes: config.limits.maxBodyBytes,
  });

  let accepting = true;
  const graphqlSse = createGraphQLSse({
    yoga,
    clock,
    maxBodyBytes: config.limits.maxBodyBytes,
    isAccepting: () => accepting,
  });
  const handler = createRequestHandler({
    logger,
    database,
    apiKeys,
    metrics,
    // graphql-sse's single connection mode is its own protocol; everything else is Yoga's.
    graphql: async (req, res, context) =>
      isSingleConnectionRequest(req) ? graphqlSse.handle(req, res, context) : yoga.handle(req, res, context),
    clock,
    service,
    embeddings,
    catalog,
    registry,
    cors: createCorsPolicy(config.cors.origins),
    responses: new ResponseQueries(database.db, recorder),
    maxBodyBytes: config.limits.maxBodyBytes,
    isAccepting: () => accepting,
  });
  const server: Server = createServer({ keepAliveTimeout: 65_000 }, handler);
  const graphqlWebSocket = attachGraphQLWebSocket({
    server,
    yoga,
    apiKeys,
    clock,
    isAccepting: () => accepting,
  });
  let url = '';
  let usageRollup: { stop(): Promise<void> } | undefined;

  return {
    get url() {
      return url;
    },
    database,
    recorder,
    apiKeys,
    async start() {
      usageRollup = startUsageRollup(new UsageRollup(database.db), logger);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${host}:${address.port}`;
      logger.info({ url, database: database.driver }, 'switchyard listening');
    },
    async stop() {
      accepting = false;
      // Activity subscriptions never end by themselves: they end now, not at the grace period's end.
      await activity.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = new Promise<'timeout'>((resolve) =>
        setTimeout(resolve, config.shutdownGraceMs, 'timeout').unref(),
      );
      // WebSocket and single-connection SSE subscriptions get the same grace period, then their
      // sockets and streams are closed (which cancels whatever is still streaming); the HTTP
      // server cannot close before that.
      await Promise.all([
        graphqlWebSocket.drain(config.shutdownGraceMs),
        graphqlSse.drain(config.shutdownGraceMs),
      ]);
      await Promise.all([graphqlWebSocket.close(), graphqlSse.close()]);
      if ((await Promise.race([closed, grace])) === 'timeout') {
        logger.warn('in-flight requests did not finish within the grace period; closing them');
        server.closeAllConnections();
        await closed;
      }
      await recorder.whenIdle();
      await usageRollup?.stop();
      await figuresSync?.close();
      await healthSync?.close();
      await redis?.close();
      await stopFollowingKeys();
      await database.close();
    },
  };
}
