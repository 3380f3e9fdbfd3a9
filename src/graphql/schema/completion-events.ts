import { z } from 'zod';
import { GatewayError } from '../../core/gateway-error.js';
import type {
  CompletionEvent as CompletionEventData,
  ConversationEvent as ConversationEventData,
} from '../../events/activity-events.js';
import { builder } from '../builder.js';
import { trimDecimal } from '../decimal.js';
import { type Watched, watchActivity } from '../watch-activity.js';
import { Message } from './message.js';
import { DateTime, Decimal } from './scalars.js';

const CompletionEventStatus = builder.enumType('CompletionEventStatus', {
  values: {
    SUCCEEDED: { value: 'succeeded' },
    INCOMPLETE: { value: 'incomplete', description: 'Cut short after text had been sent; billed.' },
    FAILED: { value: 'failed' },
  } as const,
});

const CompletionEventUsage = builder.objectRef<CompletionEventData>('CompletionEventUsage').implement({
  description: 'Tokens and cost of a finished completion (dollars as exact decimals).',
  fields: (t) => ({
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    totalTokens: t.int({ resolve: (event) => event.promptTokens + event.completionTokens }),
    reasoningTokens: t.exposeInt('reasoningTokens'),
    cachedTokens: t.exposeInt('cachedTokens'),
    estimated: t.boolean({
      description: 'Counted by our tokenizer: the upstream reported none.',
      resolve: (event) => event.usageEstimated,
    }),
    unpriced: t.exposeBoolean('unpriced', { description: 'The model has no price in the catalog.' }),
    inputTokensCost: t.field({ type: Decimal, resolve: (event) => trimDecimal(event.inputCost) }),
    outputTokensCost: t.field({ type: Decimal, resolve: (event) => trimDecimal(event.outputCost) }),
    searchCost: t.field({ type: Decimal, resolve: (event) => trimDecimal(event.searchCost) }),
    totalCost: t.field({ type: Decimal, resolve: (event) => trimDecimal(event.totalCost) }),
  }),
});

const CompletionEvent = builder.objectRef<CompletionEventData>('CompletionEvent').implement({
  description: 'A completion that finished, on whichever instance served it, once it is stored.',
  fields: (t) => ({
    id: t.exposeID('id'),
    apiKeyId: t.exposeID('apiKeyId', { description: 'The key that asked for it.' }),
    conversationId: t.exposeID('conversationId', { nullable: true }),
    provider: t.exposeString('provider', { nullable: true }),
    model: t.exposeString('model', { nullable: true }),
    status: t.field({ type: CompletionEventStatus, resolve: (event) => event.status }),
    errorCode: t.exposeString('errorCode', { nullable: true, description: 'Why it failed, when it did.' }),
    stream: t.exposeBoolean('stream'),
    usage: t.field({ type: CompletionEventUsage, resolve: (event) => event }),
    latency: t.int({ description: 'Milliseconds, whole request.', resolve: (event) => event.latencyMs }),
    ttft: t.int({
      nullable: true,
      description: 'Milliseconds to the first token.',
      resolve: (event) => event.ttftMs,
    }),
    attempts: t.exposeInt('attempts', { description: 'Upstream attempts it took.' }),
    createdAt: t.field({ type: DateTime, resolve: (event) => new Date(event.createdAt) }),
  }),
});

const ConversationEvent = builder.objectRef<ConversationEventData>('ConversationEvent').implement({
  description: 'Turns appended to a conversation by one completion, once they are stored.',
  fields: (t) => ({
    conversationId: t.exposeID('conversationId'),
    isNew: t.exposeBoolean('isNew', { description: 'These are the conversation’s first turns.' }),
    messages: t.field({
      type: [Message],
      description: 'The appended turns, oldest first: the request’s turns, then the answer.',
      resolve: (event) =>
        event.messages.map((message) => ({ ...message, createdAt: new Date(message.createdAt) })),
    }),
  }),
});

/** Delivers an event, or ends the subscription of a revoked key with UNAUTHENTICATED. */
function eventOrRevoked<T>(item: Watched<T>): T {
  if (item.kind === 'revoked') throw new GatewayError('unauthorized', 'the API key was revoked');
  return item.event;
}

builder.subscriptionField('completionEvents', (t) =>
  t.field({
    type: CompletionEvent,
    description:
      'Every completion that finishes from now on, on any instance: your key’s, or every key’s for an admin key. Authorization is checked per event: a revoked key’s subscription ends with UNAUTHENTICATED.',
    subscribe: (_root, _args, context) =>
      watchActivity(
        context,
        'completion',
        (event) => context.principal.admin || event.apiKeyId === context.principal.keyId,
      ),
    resolve: (item: Watched<CompletionEventData>) => eventOrRevoked(item),
  }),
);

builder.subscriptionField('conversationEvents', (t) =>
  t.field({
    type: ConversationEvent,
    description:
      'Turns appended to one of your conversations (any conversation for an admin key) from now on, on any instance; NOT_FOUND when it does not exist or is not yours.',
    args: { id: t.arg.id({ required: true, validate: { schema: z.uuid('must be a UUID') } }) },
    subscribe: async (_root, args, context) => {
      const id = String(args.id);
      await context.recorder.whenIdle();
      if (!(await context.conversations.get(id, context.principal)))
        throw new GatewayError('not_found', `conversation ${id} was not found`);
      return watchActivity(context, 'conversation', (event) => event.conversationId === id);
    },
    resolve: (item: Watched<ConversationEventData>) => eventOrRevoked(item),
  }),
);
