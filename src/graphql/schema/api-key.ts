import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { GatewayError } from '../../core/gateway-error.js';
import { noLimits } from '../../limits/key-limits.js';
import type { ApiKeyRecord, CreatedKey } from '../../store/api-key-store.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { ApiKeyLimits, ApiKeyLimitsInput, BudgetStatus, toLimitsPatch } from './api-key-limits.js';
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
    limits: t.field({ type: ApiKeyLimits, resolve: (key) => key.limits }),
    budget: t.field({
      type: BudgetStatus,
      nullable: true,
      description: 'Null when the key has no budget.',
      resolve: (key) => key.budget ?? null,
    }),
  }),
});

/** The authenticated key, with its record read afresh (so spend and limits are current). */
interface MeView {
  principal: Principal;
  key: ApiKeyRecord | undefined;
}

const Me = builder.objectRef<MeView>('Me').implement({
  description: 'The key this request authenticated with.',
  fields: (t) => ({
    id: t.id({ resolve: (me) => me.principal.keyId }),
    name: t.string({ resolve: (me) => me.principal.name }),
    admin: t.boolean({ resolve: (me) => me.principal.admin }),
    limits: t.field({
      type: ApiKeyLimits,
      resolve: (me) => me.key?.limits ?? me.principal.limits ?? noLimits,
    }),
    budget: t.field({
      type: BudgetStatus,
      nullable: true,
      description: 'Null when the key has no budget.',
      resolve: (me) => me.key?.budget ?? null,
    }),
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
    limits: t.field({ type: ApiKeyLimitsInput, description: 'Default: no limits.' }),
  }),
});

builder.queryField('me', (t) =>
  t.field({
    type: Me,
    resolve: async (_root, _args, context) => ({
      principal: context.principal,
      key: await context.apiKeys.get(context.principal.keyId),
    }),
  }),
);

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
      const limits = input.limits ? toLimitsPatch(input.limits) : {};
      const created: CreatedKey = await context.apiKeys.create(input.name.trim(), scopes, { limits });
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

builder.mutationField('setApiKeyLimits', (t) =>
  t.field({
    type: ApiKey,
    description:
      'Admin only: changes some of a key’s limits (absent fields stay, null removes a limit); the next request applies them. Spend and reservations are kept.',
    args: {
      id: t.arg.id({ required: true, validate: { schema: z.uuid('must be a UUID') } }),
      limits: t.arg({ type: ApiKeyLimitsInput, required: true }),
    },
    resolve: async (_root, args, context) => {
      requireAdmin(context);
      const updated = await context.apiKeys.setLimits(String(args.id), toLimitsPatch(args.limits));
      if (!updated) throw new GatewayError('not_found', `API key ${args.id} was not found`);
      return updated;
    },
  }),
);
