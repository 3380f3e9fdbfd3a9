import type { ModelHealthSnapshot } from '../../routing/model-health.js';
import { builder } from '../builder.js';
import { Model } from './model.js';

const CircuitState = builder.enumType('CircuitState', {
  values: {
    CLOSED: { value: 'closed', description: 'Healthy: requests flow.' },
    OPEN: { value: 'open', description: 'Failing: the model is skipped.' },
    HALF_OPEN: { value: 'half_open', description: 'Probing whether it recovered.' },
  } as const,
});

const ModelHealth = builder.objectRef<ModelHealthSnapshot>('ModelHealth').implement({
  description: 'Live figures from recent traffic through this instance’s router.',
  fields: (t) => ({
    circuit: t.field({ type: CircuitState, resolve: (health) => health.circuit }),
    attempts: t.exposeInt('attempts', { description: 'Upstream attempts in the observation window.' }),
    errorRate: t.exposeFloat('errorRate', { description: 'Failed attempts / attempts; 0 without attempts.' }),
    ttftP50: t.float({ nullable: true, resolve: (health) => health.ttftP50Ms ?? null }),
    ttftP95: t.float({ nullable: true, resolve: (health) => health.ttftP95Ms ?? null }),
    latencyP50: t.float({ nullable: true, resolve: (health) => health.latencyP50Ms ?? null }),
    latencyP95: t.float({ nullable: true, resolve: (health) => health.latencyP95Ms ?? null }),
  }),
});

builder.objectField(Model, 'health', (t) =>
  t.field({
    type: ModelHealth,
    description: 'Circuit state and live figures kept by the router.',
    resolve: (model, _args, context) => context.health.snapshot(model.id),
  }),
);
