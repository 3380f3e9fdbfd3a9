import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { builder } from '../builder.js';

const parseDateTime = (value: unknown): Date => {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value as string)) {
    throw new GraphQLError('DateTime must be an ISO 8601 string, e.g. "2026-01-31T00:00:00Z"', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return date;
};

export const DateTime = builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string in UTC.',
  serialize: (value) => value.toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

/** Deeper JSON literals are refused: a tool schema nests a few levels, never hundreds. */
const maxJsonDepth = 64;

function parseJsonLiteral(
  ast: ValueNode,
  variables: Record<string, unknown> | null | undefined,
  depth = 0,
): unknown {
  if (depth > maxJsonDepth)
    throw new GraphQLError(`JSON values may nest at most ${maxJsonDepth} levels`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((value) => parseJsonLiteral(value, variables, depth + 1));
    case Kind.OBJECT:
      return Object.fromEntries(
        ast.fields.map((field) => [field.name.value, parseJsonLiteral(field.value, variables, depth + 1)]),
      );
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw new GraphQLError('not a JSON value', { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

export const JSONValue = builder.scalarType('JSON', {
  description: 'Any JSON value: a tool’s JSON Schema, a tool choice, arguments…',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => parseJsonLiteral(ast, variables),
});

export const Decimal = builder.scalarType('Decimal', {
  description:
    'An exact decimal number as a string, e.g. "0.00038": money (US dollars) is summed in SQL and never rounded through a float.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value)) {
      throw new GraphQLError('Decimal must be a string of digits, e.g. "0.5"', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return value;
  },
});
