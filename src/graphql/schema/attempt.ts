import type { Attempt as CoreAttempt } from '../../routing/attempt.js';
import { builder } from '../builder.js';
import { picoToDecimalString } from '../decimal.js';
import { Decimal } from './scalars.js';

const AttemptOutcome = builder.enumType('AttemptOutcome', {
  values: {
    SUCCEEDED: { value: 'succeeded' },
    FAILED: { value: 'failed' },
    INCOMPLETE: {
      value: 'incomplete',
      description: 'It produced some of the answer, then the upstream failed.',
    },
    CANCELLED: {
      value: 'cancelled',
      description: 'Stopped by the router: another attempt answered first (hedging).',
    },
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
    promptTokens: t.int({ resolve: (attempt) => attempt.usage?.promptTokens ?? 0 }),
    completionTokens: t.int({ resolve: (attempt) => attempt.usage?.completionTokens ?? 0 }),
    usageEstimated: t.boolean({
      description: 'Counted by our tokenizer: the upstream reported no usage (a cut or stopped attempt).',
      resolve: (attempt) => attempt.usage?.estimated ?? false,
    }),
    cost: t.field({
      type: Decimal,
      description: 'US dollars, at this attempt’s own model’s prices.',
      resolve: (attempt) => picoToDecimalString(attempt.cost.total),
    }),
    continuedAt: t.int({
      nullable: true,
      description:
        'A continuation of a cut answer: the characters of it already sent when this attempt began.',
      resolve: (attempt) => attempt.continuedAt ?? null,
    }),
    hedged: t.boolean({
      description: 'Started beside a slower attempt.',
      resolve: (attempt) => attempt.hedged,
    }),
  }),
});
