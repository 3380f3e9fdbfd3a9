import type { UpstreamErrorKind } from '../core/upstream-error.js';
import {
  CircuitBreaker,
  type CircuitChange,
  type CircuitSettings,
  defaultCircuitSettings,
} from './circuit-breaker.js';
import type { Clock } from './clock.js';
import type { HealthSource, ModelHealthSnapshot } from './model-health.js';
import { RollingCounter } from './rolling-counter.js';
import { SampleRing } from './sample-ring.js';

/** Failures that say something about the model, not about this one request. */
const modelFailureKinds: ReadonlySet<UpstreamErrorKind> = new Set([
  'rate_limited',
  'overloaded',
  'server_error',
  'timeout',
  'network',
  'auth',
  'not_found',
  'incomplete',
]);

/** Weight of the newest observation in the moving averages. */
const ewmaAlpha = 0.2;
const ewma = (previous: number | undefined, value: number) =>
  previous === undefined ? value : previous + ewmaAlpha * (value - previous);

/** What the router expects of a model from its recent traffic. */
export interface ModelEstimate {
  /** Moving average of the time to first token of an attempt, ms. */
  ttftMs: number | undefined;
  /** Moving average of the time per output token after the first, ms. */
  msPerOutputToken: number | undefined;
  /** Share of failed attempts in the window. */
  errorRate: number;
}

class ModelHealth {
  readonly breaker: CircuitBreaker;
  readonly outcomes: RollingCounter;
  readonly ttft = new SampleRing();
  readonly latency = new SampleRing();
  ttftEwma: number | undefined;
  msPerTokenEwma: number | undefined;

  constructor(settings: CircuitSettings, clock: Clock, onChange: (change: CircuitChange) => void) {
    this.breaker = new CircuitBreaker(settings, clock, onChange);
    this.outcomes = new RollingCounter(settings.windowMs);
  }
}

/** Circuit breakers and live figures for every model the router has called. */
export class HealthTracker implements HealthSource {
  readonly #models = new Map<string, ModelHealth>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: CircuitSettings = defaultCircuitSettings,
  ) {}

  /** Called when a circuit opens or closes here, so other instances can follow. */
  onCircuitChange: (modelId: string, change: CircuitChange) => void = () => {};

  /** Adopts a circuit change another instance observed. */
  applyRemote(modelId: string, change: CircuitChange): void {
    this.#of(modelId).breaker.applyRemote(change);
  }

  #of(modelId: string): ModelHealth {
    let health = this.#models.get(modelId);
    if (!health) {
      health = new ModelHealth(this.settings, this.clock, (change) => this.onCircuitChange(modelId, change));
      this.#models.set(modelId, health);
    }
    return health;
  }

  /** False while the model's circuit is open (or its half-open probe is out). */
  available(modelId: string): boolean {
    return this.#models.get(modelId)?.breaker.available ?? true;
  }

  tryAcquire(modelId: string): boolean {
    return this.#models.get(modelId)?.breaker.tryAcquire() ?? true;
  }

  recordSuccess(
    modelId: string,
    attempt: { ttftMs: number; latencyMs: number; completionTokens: number },
  ): void {
    const health = this.#of(modelId);
    health.breaker.onSuccess();
    health.outcomes.record(this.clock.now(), false);
    health.ttft.push(attempt.ttftMs);
    health.latency.push(attempt.latencyMs);
    health.ttftEwma = ewma(health.ttftEwma, attempt.ttftMs);
    if (attempt.completionTokens > 1) {
      const perToken = Math.max(0, attempt.latencyMs - attempt.ttftMs) / (attempt.completionTokens - 1);
      health.msPerTokenEwma = ewma(health.msPerTokenEwma, perToken);
    }
  }

  recordFailure(modelId: string, kind: UpstreamErrorKind): void {
    const health = this.#of(modelId);
    if (!modelFailureKinds.has(kind)) {
      health.breaker.onAbandon();
      return;
    }
    health.breaker.onFailure();
    health.outcomes.record(this.clock.now(), true);
  }

  /** The attempt ended without a verdict on the model (the client went away). */
  recordAbandoned(modelId: string): void {
    this.#models.get(modelId)?.breaker.onAbandon();
  }

  estimate(modelId: string): ModelEstimate {
    const health = this.#models.get(modelId);
    if (!health) return { ttftMs: undefined, msPerOutputToken: undefined, errorRate: 0 };
    const { total, failed } = health.outcomes.read(this.clock.now());
    return {
      ttftMs: health.ttftEwma,
      msPerOutputToken: health.msPerTokenEwma,
      errorRate: total ? failed / total : 0,
    };
  }

  snapshot(modelId: string): ModelHealthSnapshot {
    const health = this.#models.get(modelId);
    if (!health) {
      return {
        circuit: 'closed',
        attempts: 0,
        errorRate: 0,
        ttftP50Ms: undefined,
        ttftP95Ms: undefined,
        latencyP50Ms: undefined,
        latencyP95Ms: undefined,
      };
    }
    const { total, failed } = health.outcomes.read(this.clock.now());
    return {
      circuit: health.breaker.state,
      attempts: total,
      errorRate: total ? failed / total : 0,
      ttftP50Ms: health.ttft.percentile(50),
      ttftP95Ms: health.ttft.percentile(95),
      latencyP50Ms: health.latency.percentile(50),
      latencyP95Ms: health.latency.percentile(95),
    };
  }
}
