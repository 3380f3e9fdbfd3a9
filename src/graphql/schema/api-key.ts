import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { ApiKeyRecord, CreatedKey } from '../../store/api-key-store.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { DateTime } from './scalars.js';

const ApiKeyScope = builder.enumType('ApiKeyScope', {
  values: {
    USER: { value: 'user', description: 'Completions, and its own conversations and usage.' },
    ADMIN: { value: 'admin', description: 'Manages keys and sees everything.' },
  } as const,
});

function requireAdmin(context: GraphQLContext): void {
  if (!context.principal.admin) throw new GatewayError('forbidden', 'this operation needs an admin key');
}

export const ApiKey = builder.objectRef<ApiKeyRecord>('ApiKey').implement({
  description: 'An API key, without its secret (only a hash is stored).',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the secret, to recognise it.' }),
    scopes: t.field({ type: [ApiKeyScope], resolve: (key) => key.scopes }),
    createdAt: t.field({ type: DateTime, resolve: (key) => key.createdAt }),
    lastUsedAt: t.field({ type: DateTime, nullable: true, resolve: (key) => key.lastUsedAt }),
    revokedAt: t.field({ type: DateTime, nullable: true, resolve: (key) => key.revokedAt }),
  }),
});

const Me = builder.objectRef<Principal>('Me').implement({
  description: 'The key this request authenticated with.',
  fields: (t) => ({
    id: t.exposeID('keyId'),
    name: t.exposeString('name'),
    admin: t.exposeBoolean('admin'),
  }),
});

const CreatedApiKey = builder.objectRef<{ apiKey: ApiKeyRecord; secret: string }>('CreatedApiKey').implement({
  fields: (t) => ({
    apiKey: t.field({ type: ApiKey, resolve: (created) => created.apiKey }),
    secret: t.exposeString('secret', {
      description:
        'The key itself: shown this once, never again. Send it as "Authorization: Bearer <secret>".',
    }),
  }),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({
      required: true,
      validate: {
        schema: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
      },
    }),
    scopes: t.field({ type: [ApiKeyScope], description: 'Default [USER].' }),
  }),
});

builder.queryField('me', (t) => t.field({ type: Me, resolve: (_root, _args, context) => context.principal }));

builder.queryField('apiKeys', (t) =>
  t.field({
    type: [ApiKey],
    description: 'Admin only: every key, revoked ones included.',
    resolve: (_root, _args, context) => {
      requireAdmin(context);
      return context.apiKeys.list();
    },
  }),
);

builder.mutationField('createApiKey', (t) =>
  t.field({
    type: CreatedApiKey,
    description: 'Admin only: a new key; its secret is in this answer and nowhere else.',
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      requireAdmin(context);
      const scopes = input.scopes && input.scopes.length > 0 ? [...new Set(input.scopes)] : ['user' as const];
      const created: CreatedKey = await context.apiKeys.create(input.name.trim(), scopes);
      const apiKey = await context.apiKeys.get(created.id);
      if (!apiKey) throw new GatewayError('internal_error', 'the new key could not be read back');
      return { apiKey, secret: created.secret };
    },
  }),
);

builder.mutationField('revokeApiKey', (t) =>
  t.field({
    type: ApiKey,
    description: 'Admin only: the key stops working at once.',
    args: { id: t.arg.id({ required: true, validate: { schema: z.uuid('must be a UUID') } }) },
    resolve: async (_root, args, context) => {
      requireAdmin(context);
      const revoked = await context.apiKeys.revoke(String(args.id));
      if (!revoked) throw new GatewayError('not_found', `API key ${args.id} was not found`);
      return revoked;
    },
  }),
);
