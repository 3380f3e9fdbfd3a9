import { printSchema } from 'graphql';
import { schema } from './schema/index.js';

/** `schema.graphql` at the repository root: printed from the code by `npm run schema:print`. */
export const schemaFileUrl = new URL('../../schema.graphql', import.meta.url);

/** The text `schema.graphql` must hold for the current code. */
export const printSchemaFile = (): string =>
  `# Printed from src/graphql by \`npm run schema:print\`; do not edit.\n\n${printSchema(schema)}\n`;
