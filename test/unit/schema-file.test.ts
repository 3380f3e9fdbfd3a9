import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSchemaFile, schemaFileUrl } from '../../src/graphql/schema-file.js';

describe('schema.graphql', () => {
  it('is the schema the code builds (run `npm run schema:print` after changing it)', () => {
    expect(readFileSync(schemaFileUrl, 'utf8')).toBe(printSchemaFile());
  });
});
