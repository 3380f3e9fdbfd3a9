import { GraphQLError, Kind } from 'graphql';
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
