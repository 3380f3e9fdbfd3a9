import { GraphQLError } from 'graphql';
import type { z } from 'zod';
import { describeValidationIssues } from '../core/completion-request.js';
import { type ErrorCode, GatewayError } from '../core/gateway-error.js';

/** GraphQL's customary names where one exists; otherwise our own code, upper-cased. */
const graphqlCodes: Partial<Record<ErrorCode, string>> = {
  invalid_request: 'BAD_USER_INPUT',
  unauthorized: 'UNAUTHENTICATED',
};

/** The `extensions.code` of a gateway error, e.g. `NOT_FOUND`, `UPSTREAM_FAILED`. */
export const graphqlCodeOf = (code: ErrorCode): string => graphqlCodes[code] ?? code.toUpperCase();

/** A GatewayError as the GraphQL error a client sees: its message, code and details. */
export function gatewayErrorToGraphQL(error: GatewayError, located?: unknown): GraphQLError {
  // Duck-typed: the GraphQLError class of the located error may come from another copy of graphql.
  const where = typeof located === 'object' && located !== null && 'path' in located ? located : undefined;
  const path = where && Array.isArray(where.path) ? (where.path as (string | number)[]) : undefined;
  return new GraphQLError(error.message, {
    path,
    extensions: {
      code: graphqlCodeOf(error.code),
      ...error.details,
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    },
  });
}

// GraphQL names the JSON fields in camelCase; the shared rules name the image part as REST does.
const graphqlFieldName = (problem: string) => problem.replaceAll('image_url', 'imageUrl');

/** A failed zod validation of GraphQL arguments: BAD_USER_INPUT naming each field. */
export function validationFailure(error: z.ZodError): GraphQLError {
  const problems = describeValidationIssues(error).map(graphqlFieldName);
  return gatewayErrorToGraphQL(
    new GatewayError('invalid_request', `invalid input: ${problems.join('; ')}`, { fields: problems }),
  );
}
