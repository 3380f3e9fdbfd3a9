import { describe, expect, it } from 'vitest';
import { ModelCatalog } from '../../src/catalog/model-catalog.js';
import { GatewayError } from '../../src/core/gateway-error.js';
import { parseModelRef } from '../../src/core/model-ref.js';
import { ProviderRegistry } from '../../src/providers/provider-registry.js';
import { HealthTracker } from '../../src/routing/health-tracker.js';
import { ModelPools } from '../../src/routing/model-pools.js';
import { routingToJson } from '../../src/routing/route-explanation.js';
import { planRoute, type RouteQuery } from '../../src/routing/route-plan.js';
import { FakeClock } from '../support/fake-clock.js';
import { ScriptedModel } from '../support/scripted-model.js';

const clock = new FakeClock();
const catalog = ModelCatalog.withBuiltIns([
  { id: 'p/dear', inputPricePerMTok: 10, outputPricePerMTok: 30 },
  { id: 'p/cheap', inputPricePerMTok: 0.1, outputPricePerMTok: 0.2 },
  { id: 'p/mid', inputPricePerMTok: 1, outputPricePerMTok: 2 },
  { id: 'p/tiny', contextWindow: 10 },
]);
const registry = new ProviderRegistry([
  { name: 'p', configured: true, languageModel: (model) => new ScriptedModel('p', model, clock, []) },
  { name: 'off', configured: false, languageModel: (model) => new ScriptedModel('off', model, clock, []) },
]);
const pools = new ModelPools({ both: ['p/dear', 'p/cheap'] });
const messages: RouteQuery['messages'] = [
  { role: 'user', content: [{ type: 'text', text: 'x'.repeat(400) }] },
];

const query = (over: Partial<RouteQuery> & { ids?: string[]; fallbacks?: string[] }): RouteQuery => ({
  models: (over.ids ?? ['p/dear', 'p/cheap']).map(parseModelRef),
  fallbackModels: (over.fallbacks ?? []).map(parseModelRef),
  messages,
  options: { maxTokens: 100 },
  maxRetries: 0,
  streamed: false,
  strategy: 'cheapest',
  search: false,
  startedAt: 0,
  ...over,
});

describe('the routing explanation', () => {
  it('lists the candidates in the order they are tried, with the figures that ranked them', () => {
    const health = new HealthTracker(clock);
    health.recordSuccess('p/dear', { ttftMs: 100, latencyMs: 1_100, completionTokens: 11 });
    const plan = planRoute(query({ fallbacks: ['p/mid'] }), { catalog, registry, health });
    const json = routingToJson(plan.explanation);
    expect(json.strategy).toBe('cheapest');
    expect(json.candidates.map((entry) => [entry.model, entry.role, entry.rank])).toEqual([
      ['p/cheap', 'pool', 1],
      ['p/dear', 'pool', 2],
      ['p/mid', 'fallback', 3],
    ]);
    // The same order as the plan the router runs.
    expect(plan.candidates.map((candidate) => candidate.info.id)).toEqual(
      json.candidates.map((c) => c.model),
    );
    // 104 approximate prompt tokens (400 bytes / 4 + 4 per message) and maxTokens 100.
    const dear = json.candidates[1]!;
    expect(dear.expectedCostUsd).toBeCloseTo(104 * 10e-6 + 100 * 30e-6, 9);
    expect(dear.expectedTtftMs).toBe(100);
    expect(dear.expectedTotalMs).toBe(100 + 100 * 100);
    expect(dear.errorRate).toBe(0);
    expect(json.candidates[0]!.expectedTtftMs).toBeNull();
    // Balanced scores are given for the pool; fallbacks are not ranked.
    expect(json.candidates[0]!.score).toBeLessThan(dear.score!);
    expect(json.candidates[2]!.score).toBeNull();
  });

  it('names each excluded candidate with its reason, and the bound it broke', () => {
    const health = new HealthTracker(clock);
    health.recordSuccess('p/mid', { ttftMs: 900, latencyMs: 1_000, completionTokens: 2 });
    const plan = planRoute(
      query({
        ids: ['p/dear', 'p/cheap', 'p/mid', 'off/x', 'p/tiny'],
        maxCostUsd: 0.001,
        maxTtftMs: 500,
      }),
      { catalog, registry, health },
    );
    const json = routingToJson(plan.explanation);
    expect(json.candidates.map((entry) => entry.model)).toEqual(['p/cheap']);
    expect(json.constraints).toEqual({ maxCostUsd: 0.001, maxTtftMs: 500 });
    expect(json.excluded).toEqual([
      { model: 'p/dear', bound: 'maxCostUsd', reason: expect.stringContaining('above maxCostUsd $0.001') },
      {
        model: 'p/mid',
        bound: 'maxTtftMs',
        reason: expect.stringContaining('900 ms is above maxTtftMs 500'),
      },
      { model: 'off/x', bound: null, reason: expect.stringContaining('not configured') },
      { model: 'p/tiny', bound: null, reason: expect.stringContaining('context window') },
    ]);
  });

  it('refuses with 422 when no candidate is within the bounds, naming the bound', () => {
    const health = new HealthTracker(clock);
    let error: unknown;
    try {
      planRoute(query({ maxCostUsd: 1e-9 }), { catalog, registry, health });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    const refusal = error as GatewayError;
    expect(refusal.status).toBe(422);
    expect(refusal.message).toContain('maxCostUsd');
    expect(refusal.details.candidates).toEqual([
      expect.objectContaining({ model: 'p/dear', bound: 'maxCostUsd' }),
      expect.objectContaining({ model: 'p/cheap', bound: 'maxCostUsd' }),
    ]);
  });

  it('expands group/<name> into its models, and refuses an unknown group by name', () => {
    const health = new HealthTracker(clock);
    const plan = planRoute(query({ ids: ['group/both'], fallbacks: ['p/mid'] }), {
      catalog,
      registry,
      health,
      pools,
    });
    expect(plan.candidates.map((candidate) => candidate.info.id)).toEqual(['p/cheap', 'p/dear', 'p/mid']);
    expect(() => planRoute(query({ ids: ['group/nope'] }), { catalog, registry, health, pools })).toThrow(
      /unknown model group "group\/nope"/,
    );
  });
});
