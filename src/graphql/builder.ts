import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ZodPlugin from '@pothos/plugin-zod';
import type { GraphQLContext } from './context.js';
import { validationFailure } from './graphql-errors.js';

/** The schema builder; types are defined in ./schema, one file each. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    /** Exact decimal numbers (money) travel as strings so no digit is lost to a float. */
    Decimal: { Input: string; Output: string };
    /** Tool schemas, tool choices: checked by the shared zod rules, not by GraphQL types. */
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: false;
}>({
  plugins: [RelayPlugin, ZodPlugin],
  defaultFieldNullability: false,
  relay: {
    // Conversations are addressed by their plain UUID everywhere (REST too): no global ids.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    cursorType: 'String',
  },
  zod: {
    // Without this Yoga masks validation failures as "Unexpected error.".
    validationError: (error) => validationFailure(error),
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
