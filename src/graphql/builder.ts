import SchemaBuilder from '@pothos/core';
import ZodPlugin from '@pothos/plugin-zod';
import type { GraphQLContext } from './context.js';

/** The schema builder; types are defined in ./schema, one file each. */
export const builder = new SchemaBuilder<{ Context: GraphQLContext }>({
  plugins: [ZodPlugin],
  zod: {
    // Without this Yoga masks validation failures as "Unexpected error.".
    validationError: (error) => error,
  },
});

builder.queryType({});
