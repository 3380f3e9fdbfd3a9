import { builder } from '../builder.js';

export const RoutingStrategy = builder.enumType('RoutingStrategy', {
  values: {
    BALANCED: { value: 'balanced', description: 'Balances expected cost and observed latency.' },
    ORDERED: { value: 'ordered', description: 'The models in the order given.' },
    CHEAPEST: { value: 'cheapest' },
    FASTEST: { value: 'fastest' },
  } as const,
});
