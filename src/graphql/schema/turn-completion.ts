import type { RecordedAttempt, TurnCompletion as Turn } from '../../store/turn-completion-queries.js';
import { TurnCompletionQueries } from '../../store/turn-completion-queries.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { trimDecimal } from '../decimal.js';
import { Message } from './message.js';
import { Decimal } from './scalars.js';

const RecordedAttemptRef = builder.objectRef<RecordedAttempt>('RecordedAttempt').implement({
  description: 'One upstream try of a stored completion.',
  fields: (t) => ({
    provider: t.exposeString('provider'),
    model: t.exposeString('model'),
    outcome: t.string({
      description: 'succeeded, failed, incomplete or cancelled.',
      resolve: (attempt) => attempt.outcome,
    }),
    errorKind: t.exposeString('errorKind', { nullable: true }),
    status: t.int({
      nullable: true,
      description: 'The upstream HTTP status.',
      resolve: (attempt) => attempt.httpStatus,
    }),
    latency: t.int({ description: 'Milliseconds.', resolve: (attempt) => attempt.latencyMs }),
    ttft: t.int({ nullable: true, description: 'Milliseconds.', resolve: (attempt) => attempt.ttftMs }),
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    cost: t.field({
      type: Decimal,
      description: 'US dollars.',
      resolve: (attempt) => trimDecimal(attempt.cost),
    }),
  }),
});

const TurnCompletionRef = builder.objectRef<Turn>('TurnCompletion').implement({
  description: 'The completion that wrote an assistant turn: its usage, cost, timing and attempts.',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.string({ description: 'succeeded, incomplete or failed.', resolve: (turn) => turn.status }),
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    reasoningTokens: t.exposeInt('reasoningTokens'),
    totalCost: t.field({
      type: Decimal,
      description: 'US dollars.',
      resolve: (turn) => trimDecimal(turn.totalCost),
    }),
    latency: t.int({ description: 'Milliseconds.', resolve: (turn) => turn.latencyMs }),
    ttft: t.int({ nullable: true, description: 'Milliseconds.', resolve: (turn) => turn.ttftMs }),
    attempts: t.field({ type: [RecordedAttemptRef], resolve: (turn) => turn.attempts }),
  }),
});

// One query per operation for all the turns it shows, not one per turn: the ids asked for in
// the same tick are loaded together.
const loaders = new WeakMap<GraphQLContext, (id: string) => Promise<Turn | undefined>>();

function turnLoader(context: GraphQLContext) {
  let loader = loaders.get(context);
  if (!loader) {
    const queries = new TurnCompletionQueries(context.database.db);
    let pending: { ids: Set<string>; result: Promise<Map<string, Turn>> } | undefined;
    loader = async (id) => {
      if (!pending) {
        const ids = new Set<string>();
        const result = Promise.resolve().then(() => {
          pending = undefined;
          return queries.byResponseMessage([...ids]);
        });
        pending = { ids, result };
      }
      pending.ids.add(id);
      return (await pending.result).get(id);
    };
    loaders.set(context, loader);
  }
  return loader;
}

builder.objectField(Message, 'completion', (t) =>
  t.field({
    type: TurnCompletionRef,
    nullable: true,
    description: 'The completion that wrote this assistant turn; null for every other turn.',
    resolve: async (message, _args, context) =>
      message.role === 'assistant' ? ((await turnLoader(context)(message.id)) ?? null) : null,
  }),
);
