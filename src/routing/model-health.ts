/** Circuit breaker state of one model. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** Live figures of one model from recent traffic. */
export interface ModelHealthSnapshot {
  circuit: CircuitState;
  /** Upstream attempts in the observation window. */
  attempts: number;
  /** Failed attempts / attempts in the window; 0 when there were none. */
  errorRate: number;
  ttftP50Ms: number | undefined;
  ttftP95Ms: number | undefined;
  latencyP50Ms: number | undefined;
  latencyP95Ms: number | undefined;
  /** Instances whose recent figures are merged into these, this one included (1 without Redis). */
  instances?: number;
}

/** Where surfaces read model health from (the router keeps it). */
export interface HealthSource {
  snapshot(modelId: string): ModelHealthSnapshot;
}
