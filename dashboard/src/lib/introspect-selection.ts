import type { Client } from '@urql/core';

// The routing explanation (`Completion.routing`) is new and its shape may still move, so the
// playground asks the schema what it holds and selects every field it can, to a small depth.

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface FieldInfo {
  name: string;
  args: { name: string }[];
  type: TypeRef;
}
interface TypeInfo {
  kind: string;
  fields: FieldInfo[] | null;
  possibleTypes: { name: string }[] | null;
}

const typeQuery = `
  query Type($name: String!) {
    __type(name: $name) {
      kind
      possibleTypes { name }
      fields { name args { name } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
    }
  }
`;

const namedType = (ref: TypeRef): TypeRef => (ref.ofType ? namedType(ref.ofType) : ref);

async function describe(client: Client, name: string): Promise<TypeInfo | null> {
  const result = await client.query<{ __type: TypeInfo | null }>(typeQuery, { name }).toPromise();
  return result.data?.__type ?? null;
}

async function selectionOf(client: Client, typeName: string, depth: number): Promise<string | null> {
  const info = await describe(client, typeName);
  if (!info) return null;
  if (info.kind === 'UNION' || info.kind === 'INTERFACE') {
    const parts: string[] = ['__typename'];
    for (const possible of info.possibleTypes ?? []) {
      const inner = await selectionOf(client, possible.name, depth);
      if (inner) parts.push(`... on ${possible.name} ${inner}`);
    }
    return `{ ${parts.join(' ')} }`;
  }
  const selected: string[] = [];
  for (const field of info.fields ?? []) {
    if (field.args.length > 0) continue;
    const type = namedType(field.type);
    if (type.kind === 'SCALAR' || type.kind === 'ENUM') selected.push(field.name);
    else if (depth > 0 && type.name) {
      const inner = await selectionOf(client, type.name, depth - 1);
      if (inner) selected.push(`${field.name} ${inner}`);
    }
  }
  return selected.length > 0 ? `{ ${selected.join(' ')} }` : null;
}

/**
 * The selection of `typeName.fieldName` (e.g. `routing { strategy candidates { … } }`), or an
 * empty string when the schema has no such field.
 */
export async function optionalFieldSelection(
  client: Client,
  typeName: string,
  fieldName: string,
): Promise<string> {
  const info = await describe(client, typeName);
  const field = info?.fields?.find((one) => one.name === fieldName);
  if (!field) return '';
  const type = namedType(field.type);
  if (type.kind === 'SCALAR' || type.kind === 'ENUM') return fieldName;
  const inner = type.name ? await selectionOf(client, type.name, 2) : null;
  return inner ? `${fieldName} ${inner}` : '';
}
