import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/routing/circuit-breaker.js';
import { HealthTracker } from '../../src/routing/health-tracker.js';
import { FakeClock } from '../support/fake-clock.js';

const settings = {
  consecutiveFailures: 3,
  failureRate: 0.5,
  minimumAttempts: 6,
  windowMs: 10_000,
  cooldownMs: 5_000,
};
const advance = (clock: FakeClock, ms: number) =>
  clock.run(new Promise((resolve) => clock.setTimer(() => resolve(0), ms)));

describe('CircuitBreaker', () => {
  it('opens on consecutive failures and lets one probe through after the cooldown', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker(settings, clock);
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state).toBe('closed');
    breaker.onFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    await advance(clock, 5_000);
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.onFailure();
    expect(breaker.state).toBe('open');
    await advance(clock, 5_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('opens on a failure rate over the window even without a streak', () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker(settings, clock);
    for (const failed of [true, false, true, false, true]) failed ? breaker.onFailure() : breaker.onSuccess();
    expect(breaker.state).toBe('closed');
    breaker.onSuccess();
    breaker.onFailure();
    expect(breaker.state).toBe('open');
  });

  it('forgets failures older than the window', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ ...settings, consecutiveFailures: 100 }, clock);
    for (let i = 0; i < 5; i++) breaker.onFailure();
    await advance(clock, 20_000);
    for (let i = 0; i < 5; i++) breaker.onSuccess();
    breaker.onFailure();
    expect(breaker.state).toBe('closed');
  });

  it('frees the half-open probe when its attempt ends without a verdict', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker(settings, clock);
    for (let i = 0; i < 3; i++) breaker.onFailure();
    await advance(clock, 5_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onAbandon();
    expect(breaker.tryAcquire()).toBe(true);
  });
});

describe('HealthTracker', () => {
  it('reports percentiles and the error rate, and ignores failures that are the request’s fault', () => {
    const clock = new FakeClock();
    const health = new HealthTracker(clock, settings);
    for (const ttft of [100, 200, 300, 400])
      health.recordSuccess('p/m', { ttftMs: ttft, latencyMs: ttft * 2, completionTokens: 11 });
    health.recordFailure('p/m', 'server_error');
    health.recordFailure('p/m', 'context_length_exceeded');
    expect(health.snapshot('p/m')).toEqual({
      circuit: 'closed',
      attempts: 5,
      errorRate: 0.2,
      ttftP50Ms: 200,
      ttftP95Ms: 400,
      latencyP50Ms: 400,
      latencyP95Ms: 800,
    });
    const estimate = health.estimate('p/m');
    expect(estimate.ttftMs).toBeGreaterThan(100);
    expect(estimate.msPerOutputToken).toBeGreaterThan(0);
    expect(health.snapshot('p/never')).toMatchObject({
      circuit: 'closed',
      attempts: 0,
      ttftP50Ms: undefined,
    });
  });
});
