import { resolveCursorConnection } from '@pothos/plugin-relay';
import { z } from 'zod';
import { GatewayError } from '../../core/gateway-error.js';
import type { ConversationCursor, ConversationSummary } from '../../store/conversation-queries.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { Message } from './message.js';
import { DateTime } from './scalars.js';
import { UsageTotals } from './usage.js';

const cursorSchema = z.tuple([z.string().regex(/^-?\d+$/), z.uuid()]);

const encodeCursor = (cursor: ConversationCursor) =>
  Buffer.from(JSON.stringify([cursor.activityMicros, cursor.id])).toString('base64url');

function decodeCursor(cursor: string | undefined): ConversationCursor | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [activityMicros, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
    return { activityMicros, id };
  } catch {
    throw new GatewayError(
      'invalid_request',
      `invalid cursor "${cursor}": pass a cursor from this connection`,
    );
  }
}

const notFound = (id: string) => new GatewayError('not_found', `conversation ${id} was not found`);

/** Reads see every completion answered so far (the recorder writes off the hot path). */
async function settled(context: GraphQLContext): Promise<void> {
  await context.recorder.whenIdle();
}

export const Conversation = builder.objectRef<ConversationSummary>('Conversation').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    createdAt: t.field({ type: DateTime, resolve: (conversation) => conversation.createdAt }),
    lastActivityAt: t.field({ type: DateTime, resolve: (conversation) => conversation.lastActivityAt }),
    messages: t.field({
      type: [Message],
      description: 'Every turn, oldest first, system messages included.',
      resolve: (conversation, _args, context) => context.conversations.messages(conversation.id),
    }),
    totals: t.field({
      type: UsageTotals,
      description: 'Totals over the conversation’s completions.',
      resolve: (conversation, _args, context) => context.conversations.totals(conversation.id),
    }),
  }),
});

builder.queryField('conversations', (t) =>
  t.connection(
    {
      type: Conversation,
      description: 'Your conversations (every one for an admin key), newest last activity first.',
      args: {
        title: t.arg.string({ description: 'Only titles containing this text (case-insensitive).' }),
      },
      resolve: async (_root, args, context) => {
        await settled(context);
        return resolveCursorConnection<Promise<ConversationSummary[]>>(
          {
            args,
            defaultSize: 20,
            maxSize: 100,
            toCursor: (conversation) => encodeCursor(conversation.cursor),
          },
          ({ before, after, limit, inverted }) =>
            context.conversations.list(context.principal, {
              titleContains: args.title ?? undefined,
              after: decodeCursor(after),
              before: decodeCursor(before),
              limit,
              inverted,
            }),
        );
      },
    },
    { name: 'ConversationConnection' },
    { name: 'ConversationEdge' },
  ),
);

builder.queryField('conversation', (t) =>
  t.field({
    type: Conversation,
    nullable: true,
    description: 'One of your conversations; a NOT_FOUND error when it does not exist or is not yours.',
    args: { id: t.arg.id({ required: true, validate: { schema: z.uuid('must be a UUID') } }) },
    resolve: async (_root, args, context) => {
      await settled(context);
      const id = String(args.id);
      const conversation = await context.conversations.get(id, context.principal);
      if (!conversation) throw notFound(id);
      return conversation;
    },
  }),
);

builder.mutationField('renameConversation', (t) =>
  t.field({
    type: Conversation,
    args: {
      id: t.arg.id({ required: true, validate: { schema: z.uuid('must be a UUID') } }),
      title: t.arg.string({
        required: true,
        validate: {
          schema: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
        },
      }),
    },
    resolve: async (_root, args, context) => {
      await settled(context);
      const id = String(args.id);
      const renamed = await context.conversations.rename(id, args.title, context.principal);
      if (!renamed) throw notFound(id);
      return renamed;
    },
  }),
);

builder.mutationField('deleteConversation', (t) =>
  t.field({
    type: 'ID',
    description:
      'Deletes the conversation and its messages and answers with its id. Its completions stay in usage.',
    args: { id: t.arg.id({ required: true, validate: { schema: z.uuid('must be a UUID') } }) },
    resolve: async (_root, args, context) => {
      await settled(context);
      const id = String(args.id);
      if (!(await context.conversations.delete(id, context.principal))) throw notFound(id);
      return id;
    },
  }),
);
