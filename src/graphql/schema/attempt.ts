import type { Attempt as CoreAttempt } from '../../routing/attempt.js';
import { builder } from '../builder.js';

const AttemptOutcome = builder.enumType('AttemptOutcome', {
  values: {
    SUCCEEDED: { value: 'succeeded' },
    FAILED: { value: 'failed' },
    INCOMPLETE: { value: 'incomplete', description: 'Text was sent, then the upstream failed.' },
  } as const,
});

export const Attempt = builder.objectRef<CoreAttempt>('Attempt').implement({
  description: 'One upstream try of a completion.',
  fields: (t) => ({
    provider: t.exposeString('provider'),
    model: t.exposeString('model'),
    outcome: t.field({ type: AttemptOutcome, resolve: (attempt) => attempt.outcome }),
    errorKind: t.string({
      nullable: true,
      description: 'Why it failed: rate_limited, overloaded, server_error, timeout, network, auth, …',
      resolve: (attempt) => attempt.errorKind ?? null,
    }),
    status: t.int({
      nullable: true,
      description: 'The upstream HTTP status.',
      resolve: (attempt) => attempt.status ?? null,
    }),
    message: t.string({ nullable: true, resolve: (attempt) => attempt.message ?? null }),
    latency: t.int({ description: 'Milliseconds.', resolve: (attempt) => attempt.latencyMs }),
    ttft: t.int({
      nullable: true,
      description: 'Milliseconds to the first token.',
      resolve: (attempt) => attempt.ttftMs ?? null,
    }),
  }),
});
