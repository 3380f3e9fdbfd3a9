import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { adminKey } from './test-app.js';

/** A GraphQL response body as a client reads it. */
export interface GraphQLBody<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/** POSTs one GraphQL operation (with the admin key unless told otherwise). */
export async function postGraphQL<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  key: string | null = adminKey,
): Promise<{ status: number; body: GraphQLBody<T> }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody<T> };
}

/** Like postGraphQL, but fails the test on any GraphQL error and returns `data`. */
export async function queryData<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  key: string | null = adminKey,
): Promise<T> {
  const { body } = await postGraphQL<T>(url, query, variables, key);
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

/** A real graphql-ws client (Node 20 has no global WebSocket, so `ws` is passed in). */
export function createWsClient(url: string, connectionParams: Record<string, unknown>): Client {
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

/** The `data:` payloads of a GraphQL-over-SSE body with their event names. */
export function parseSse(text: string): { event: string; data: string }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim().length > 0 && !block.startsWith(':'))
    .map((block) => {
      const lines = block.split('\n');
      const event =
        lines
          .find((line) => line.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      const data = lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      return { event, data };
    });
}

export const completionFields = `
  provider model responseMessageId conversationId conversationTitle
  message { role type content { type text } }
  usage { promptTokens completionTokens totalTokens reasoningTokens cachedTokens estimated unpriced
          costs { inputTokensCost outputTokensCost totalTokensCost } }
  finishReason latency ttft
  attempts { provider model outcome errorKind status latency ttft }
`;

export const completionMutation = `
  mutation Complete($input: CompletionInput!) { completion(input: $input) { ${completionFields} } }
`;

export const completionSubscription = `
  subscription Stream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on CompletionTextChunk { text provider model responseMessageId conversationId }
      ... on CompletionDoneChunk { completion { ${completionFields} } }
      ... on CompletionErrorChunk { code message afterText }
    }
  }
`;

/** An input for `local/echo` (it answers with the last user message). */
export const echoInput = (text: string, extra: Record<string, unknown> = {}) => ({
  messages: [
    { role: 'SYSTEM', content: [{ type: 'TEXT', text: 'You are a helpful assistant.' }] },
    { role: 'USER', content: [{ type: 'TEXT', text }] },
  ],
  models: ['local/echo'],
  ...extra,
});
