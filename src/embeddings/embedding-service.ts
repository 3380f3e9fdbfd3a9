import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { computeCost } from '../catalog/cost.js';
import type { RoutingStrategy } from '../config/config-schema.js';
import type { RateLimitState } from '../limits/rate-limit-state.js';
import type { ActualUse, RequestLimiter } from '../limits/request-limiter.js';
import type { Clock } from '../routing/clock.js';
import type { CompletionRecorder } from '../store/completion-recorder.js';
import type { EmbeddingCatalog } from './embedding-catalog.js';
import { buildEmbeddingRecord, type EmbeddingOutcome } from './embedding-record.js';
import type { EmbeddingRequest } from './embedding-request.js';
import type { EmbeddingResult } from './embedding-result.js';
import { InputSize } from './input-size.js';
import { rankEmbeddingCandidates } from './rank-embedding-candidates.js';
import type { EmbeddingRouter } from './route-embeddings.js';
import { type EmbeddingCandidateSources, selectEmbeddingCandidates } from './select-embedding-candidates.js';

export interface EmbeddingServiceDeps extends EmbeddingCandidateSources {
  router: EmbeddingRouter;
  limiter: RequestLimiter;
  recorder: CompletionRecorder;
  clock: Clock;
  /** The server's strategy when a request names none. */
  defaultStrategy: RoutingStrategy;
}

export interface EmbeddingContext {
  principal: Principal;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** `clock.now()` when the request arrived. */
  startedAt: number;
  /** Wall-clock arrival, for stored timestamps. */
  receivedAt: Date;
  /** Hears the key's rate-limit windows once counted (before a 429 is thrown, too). */
  onRateLimit?: (state: RateLimitState) => void;
}

const nothingUsed: ActualUse = { tokens: 0, costPico: 0 };

/**
 * The one embeddings path: choose the candidates, admit the request against the key's
 * limits and budget, route, record the usage row, and settle the key's admission before
 * the answer is handed back.
 */
export class EmbeddingService {
  constructor(private readonly deps: EmbeddingServiceDeps) {}

  get catalog(): EmbeddingCatalog {
    return this.deps.catalog;
  }

  /** Resolves with the vectors, or throws a GatewayError (refusal or every candidate failed). */
  async embed(request: EmbeddingRequest, context: EmbeddingContext): Promise<EmbeddingResult> {
    const { clock, health, limiter, recorder, router } = this.deps;
    const size = new InputSize(request.inputs);
    const { pool, fallbacks } = selectEmbeddingCandidates(
      request,
      size,
      context.principal.limits?.allowedModels,
      this.deps,
    );
    const ranked = rankEmbeddingCandidates(pool, request.strategy ?? this.deps.defaultStrategy, (id) =>
      health.estimate(id),
    );
    const candidates = [...ranked, ...fallbacks];
    // Tokenised only for keys that have limits: the bounds are computed lazily.
    const admission = await limiter.admit(
      context.principal,
      () => ({
        tokens: size.totalTokens,
        costPico: Math.max(
          ...candidates.map((candidate) => size.totalTokens * (candidate.info.prices?.input ?? 0)),
        ),
      }),
      context.onRateLimit,
    );
    let used = nothingUsed;
    try {
      const outcome = await router.route(
        {
          candidates,
          call: { inputs: request.inputs, dimensions: request.dimensions, user: request.user },
          maxRetries: request.maxRetries,
          startedAt: context.startedAt,
        },
        context.signal,
      );
      const latencyMs = Math.round(clock.now() - context.startedAt);
      const record = (recorded: EmbeddingOutcome) =>
        recorder.record(buildEmbeddingRecord(context.principal.keyId, context.receivedAt, recorded));
      if (outcome.type === 'failed') {
        record({
          kind: 'failed',
          id: randomUUID(),
          error: outcome.error,
          attempts: outcome.attempts,
          latencyMs,
        });
        throw outcome.error;
      }
      const { candidate, output } = outcome;
      const reported = output.promptTokens;
      const promptTokens = reported ?? size.totalTokens;
      const usage = {
        promptTokens,
        completionTokens: 0,
        reasoningTokens: 0,
        cachedTokens: 0,
        estimated: reported === undefined,
      };
      const cost = computeCost(usage, candidate.info.prices);
      // The answering attempt used what the request did; the failed ones were not billed.
      const last = outcome.attempts.length - 1;
      const attempts = outcome.attempts.map((attempt, index) =>
        index === last ? { ...attempt, promptTokens, costPico: cost.total } : attempt,
      );
      const result: EmbeddingResult = {
        id: randomUUID(),
        provider: candidate.info.provider,
        model: candidate.info.model,
        vectors: output.vectors,
        promptTokens,
        usageEstimated: reported === undefined,
        cost,
        unpriced: candidate.info.prices === undefined,
        latencyMs,
        attempts,
      };
      record({ kind: 'succeeded', result });
      used = { tokens: promptTokens, costPico: cost.total };
      return result;
    } finally {
      // Settled before the answer goes out, so the key's next request sees the released budget.
      await admission.finish(used);
    }
  }
}
