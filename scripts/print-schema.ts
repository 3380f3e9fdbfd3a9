import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaFile, schemaFileUrl } from '../src/graphql/schema-file.js';

writeFileSync(schemaFileUrl, printSchemaFile());
process.stdout.write(`wrote ${fileURLToPath(schemaFileUrl)}\n`);
