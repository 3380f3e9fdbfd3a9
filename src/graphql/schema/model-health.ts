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
  description:
    'Live figures from recent traffic: with REDIS_URL set, merged over every instance of the fleet (each shares a summary every second), else this instance’s own. The circuit is this instance’s view, shared through Redis too.',
  fields: (t) => ({
    circuit: t.field({ type: CircuitState, resolve: (health) => health.circuit }),
    attempts: t.exposeInt('attempts', { description: 'Upstream attempts in the observation window.' }),
    errorRate: t.exposeFloat('errorRate', { description: 'Failed attempts / attempts; 0 without attempts.' }),
    ttftP50: t.float({ nullable: true, resolve: (health) => health.ttftP50Ms ?? null }),
    ttftP95: t.float({ nullable: true, resolve: (health) => health.ttftP95Ms ?? null }),
    latencyP50: t.float({ nullable: true, resolve: (health) => health.latencyP50Ms ?? null }),
    latencyP95: t.float({ nullable: true, resolve: (health) => health.latencyP95Ms ?? null }),
    instances: t.int({
      description:
        'Instances whose recent figures are merged here, this one included (1 without Redis). Percentiles merged over instances are weighted averages of theirs.',
      resolve: (health) => health.instances ?? 1,
    }),
  }),
});

builder.objectField(Model, 'health', (t) =>
  t.field({
    type: ModelHealth,
    description: 'Circuit state and live figures kept by the router.',
    resolve: (model, _args, context) => context.health.snapshot(model.id),
  }),
);
