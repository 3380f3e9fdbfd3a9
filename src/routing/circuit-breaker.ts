import type { Clock } from './clock.js';
import type { CircuitState } from './model-health.js';
import { RollingCounter } from './rolling-counter.js';

export interface CircuitSettings {
  /** Opens after this many failures in a row. */
  consecutiveFailures: number;
  /** …or when at least this share of the attempts in the window failed… */
  failureRate: number;
  /** …and the window holds at least this many attempts. */
  minimumAttempts: number;
  /** How far back the failure rate looks. */
  windowMs: number;
  /** How long an open circuit waits before letting one probe through. */
  cooldownMs: number;
}

/** A transition worth telling other instances about. */
export type CircuitChange = { state: 'open'; cooldownRemainingMs: number } | { state: 'closed' };

export const defaultCircuitSettings: CircuitSettings = {
  consecutiveFailures: 5,
  failureRate: 0.5,
  minimumAttempts: 10,
  windowMs: 60_000,
  cooldownMs: 30_000,
};

/**
 * A circuit breaker for one model: closed, open after repeated failures, half-open after a
 * cooldown to let a single probe through, closed again when the probe succeeds.
 * Time comes from the injected clock so every transition can be tested exactly.
 */
export class CircuitBreaker {
  #state: CircuitState = 'closed';
  #consecutive = 0;
  #openedAt = 0;
  #probeInFlight = false;
  readonly #window: RollingCounter;

  constructor(
    private readonly settings: CircuitSettings,
    private readonly clock: Clock,
    /** Told when this breaker opens or closes by its own observations (not by `applyRemote`). */
    private readonly onChange: (change: CircuitChange) => void = () => {},
  ) {
    this.#window = new RollingCounter(settings.windowMs);
  }

  /** The state as of now (an open circuit past its cooldown reads half-open). */
  get state(): CircuitState {
    if (this.#state === 'open' && this.clock.now() - this.#openedAt >= this.settings.cooldownMs)
      return 'half_open';
    return this.#state;
  }

  /** While open: how long until the cooldown ends (shared so that instances can re-sync). */
  get openForMs(): number | undefined {
    return this.state === 'open' ? this.settings.cooldownMs - (this.clock.now() - this.#openedAt) : undefined;
  }

  /** Whether a request may be sent now, without taking the half-open probe. */
  get available(): boolean {
    const state = this.state;
    return state === 'closed' || (state === 'half_open' && !this.#probeInFlight);
  }

  /** Asks to send one attempt; in half-open state only one probe is let through at a time. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#probeInFlight) return false;
    this.#state = 'half_open';
    this.#probeInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.#record(false);
    this.#consecutive = 0;
    if (this.#state === 'half_open') {
      this.#close();
      this.onChange({ state: 'closed' });
    }
  }

  onFailure(): void {
    this.#record(true);
    this.#consecutive++;
    if (this.#state === 'half_open') this.#open();
    else if (this.#state === 'closed' && this.#tripped()) this.#open();
  }

  /** Whether a closed circuit has seen enough failure to open. */
  #tripped(): boolean {
    if (this.#consecutive >= this.settings.consecutiveFailures) return true;
    const { total, failed } = this.#window.read(this.clock.now());
    return total >= this.settings.minimumAttempts && failed / total >= this.settings.failureRate;
  }

  /** An attempt that ended without a verdict on the model (the client left): frees the probe. */
  onAbandon(): void {
    this.#probeInFlight = false;
  }

  /** Adopts a change another instance observed. */
  applyRemote(change: CircuitChange): void {
    if (change.state === 'closed') {
      this.#close();
      return;
    }
    this.#state = 'open';
    this.#openedAt = this.clock.now() - (this.settings.cooldownMs - change.cooldownRemainingMs);
    this.#probeInFlight = false;
    this.#consecutive = 0;
  }

  #open(): void {
    this.applyRemote({ state: 'open', cooldownRemainingMs: this.settings.cooldownMs });
    this.onChange({ state: 'open', cooldownRemainingMs: this.settings.cooldownMs });
  }

  #close(): void {
    this.#state = 'closed';
    this.#probeInFlight = false;
    this.#consecutive = 0;
    this.#window.reset();
  }

  #record(failed: boolean): void {
    this.#window.record(this.clock.now(), failed);
  }
}
