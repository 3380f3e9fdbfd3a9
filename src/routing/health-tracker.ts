import type { UpstreamErrorKind } from '../core/upstream-error.js';
import {
  CircuitBreaker,
  type CircuitChange,
  type CircuitSettings,
  defaultCircuitSettings,
} from './circuit-breaker.js';
import type { Clock } from './clock.js';
import { type FigureSummary, FleetFigures, mergedErrorRate, mergedFigure } from './fleet-figures.js';
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
  /** What other instances reported (empty without Redis): merged into every figure read here. */
  readonly #fleet: FleetFigures;

  constructor(
    private readonly clock: Clock,
    private readonly settings: CircuitSettings = defaultCircuitSettings,
  ) {
    this.#fleet = new FleetFigures(() => clock.now());
  }

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

  /** This instance's figures of every model it has seen, to share with the fleet. */
  summarize(): Record<string, FigureSummary> {
    const models: Record<string, FigureSummary> = {};
    for (const modelId of this.#models.keys()) models[modelId] = this.#summaryOf(modelId, true)!;
    return models;
  }

  /**
   * Takes in what another instance last reported: from then on its figures are merged into
   * `estimate` and `snapshot` (until it goes quiet), and a circuit it holds open that is
   * closed here opens here too (a change missed while the two could not talk).
   */
  mergeRemote(source: string, models: Record<string, FigureSummary>): void {
    this.#fleet.merge(source, models);
    for (const [modelId, summary] of Object.entries(models)) {
      if (summary.openForMs !== undefined && summary.openForMs > 0 && this.#circuitOf(modelId) === 'closed')
        this.applyRemote(modelId, { state: 'open', cooldownRemainingMs: summary.openForMs });
    }
  }

  /** Forgets another instance's figures (it said it is leaving). */
  forgetRemote(source: string): void {
    this.#fleet.forget(source);
  }

  #circuitOf(modelId: string): ModelHealthSnapshot['circuit'] {
    return this.#models.get(modelId)?.breaker.state ?? 'closed';
  }

  #summaryOf(modelId: string, withPercentiles: boolean): FigureSummary | undefined {
    const health = this.#models.get(modelId);
    if (!health) return undefined;
    const { total, failed } = health.outcomes.read(this.clock.now());
    const summary: FigureSummary = {
      attempts: total,
      failed,
      ttftMs: health.ttftEwma,
      msPerOutputToken: health.msPerTokenEwma,
      samples: total - failed,
    };
    if (withPercentiles) {
      summary.ttftP50Ms = health.ttft.percentile(50);
      summary.ttftP95Ms = health.ttft.percentile(95);
      summary.latencyP50Ms = health.latency.percentile(50);
      summary.latencyP95Ms = health.latency.percentile(95);
      summary.openForMs = health.breaker.openForMs;
    }
    return summary;
  }

  /** This instance's summary of the model (if any) beside the fleet's. */
  #figuresOf(modelId: string, withPercentiles: boolean): FigureSummary[] {
    const local = this.#summaryOf(modelId, withPercentiles);
    const remote = this.#fleet.of(modelId);
    return local ? [local, ...remote] : remote;
  }

  /** Merged over the fleet when other instances report (see `mergeRemote`), else this instance's. */
  estimate(modelId: string): ModelEstimate {
    const summaries = this.#figuresOf(modelId, false);
    if (summaries.length === 0) return { ttftMs: undefined, msPerOutputToken: undefined, errorRate: 0 };
    const byAttempts = (summary: FigureSummary) => summary.attempts;
    return {
      ttftMs: mergedFigure(summaries, 'ttftMs', byAttempts),
      msPerOutputToken: mergedFigure(summaries, 'msPerOutputToken', byAttempts),
      errorRate: mergedErrorRate(summaries).errorRate,
    };
  }

  snapshot(modelId: string): ModelHealthSnapshot {
    const summaries = this.#figuresOf(modelId, true);
    const { attempts, errorRate } = mergedErrorRate(summaries);
    const bySamples = (summary: FigureSummary) => summary.samples;
    return {
      circuit: this.#circuitOf(modelId),
      attempts,
      errorRate,
      ttftP50Ms: mergedFigure(summaries, 'ttftP50Ms', bySamples),
      ttftP95Ms: mergedFigure(summaries, 'ttftP95Ms', bySamples),
      latencyP50Ms: mergedFigure(summaries, 'latencyP50Ms', bySamples),
      latencyP95Ms: mergedFigure(summaries, 'latencyP95Ms', bySamples),
      // Left out of a lone instance's snapshot: it merges nothing.
      instances: this.#fleet.instances > 0 ? 1 + this.#fleet.instances : undefined,
    };
  }
}
