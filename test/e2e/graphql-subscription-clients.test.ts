import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionSubscription, echoInput, queryData } from '../support/graphql.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

type Chunk =
  | { __typename: 'CompletionTextChunk'; text: string; responseMessageId: string }
  | {
      __typename: 'CompletionDoneChunk';
      completion: {
        responseMessageId: string;
        conversationId: string;
        message: { content: { text: string }[] };
      };
    }
  | { __typename: 'CompletionErrorChunk'; code: string; message: string };

interface StreamResult {
  data?: { completionStream: Chunk } | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

const conversationText = `
  query Conversation($id: ID!) { conversation(id: $id) { messages { role content { text } complete } } }
`;

/** What every client must have seen: text chunks that add up to the prompt, then the whole completion. */
async function expectEchoStream(t: TestApp, chunks: Chunk[], prompt: string) {
  const texts = chunks.filter((chunk) => chunk.__typename === 'CompletionTextChunk');
  const last = chunks.at(-1);
  expect(texts.length).toBeGreaterThan(1);
  expect(chunks.slice(0, -1)).toEqual(texts);
  if (last?.__typename !== 'CompletionDoneChunk') throw new Error(`ended with ${JSON.stringify(last)}`);
  const streamed = texts.map((chunk) => chunk.text).join('');
  expect(streamed).toBe(prompt);
  expect(last.completion.message.content[0]!.text).toBe(prompt);
  // The server stored what the client saw.
  const { conversation } = await queryData<{
    conversation: { messages: { role: string; content: { text: string }[]; complete: boolean }[] };
  }>(t.url, conversationText, { id: last.completion.conversationId });
  expect(conversation.messages.at(-1)).toMatchObject({ role: 'ASSISTANT', complete: true });
  expect(conversation.messages.at(-1)!.content[0]!.text).toBe(prompt);
}

/** Every result of one graphql-sse subscription, or the error that ended it. */
function collectSse(
  client: ReturnType<typeof createSseClient>,
  variables: Record<string, unknown>,
  query = completionSubscription,
): Promise<StreamResult[]> {
  const results: StreamResult[] = [];
  return new Promise((resolve, reject) => {
    client.subscribe<{ completionStream: Chunk }>(
      { query, variables },
      {
        next: (result) => results.push(result as StreamResult),
        error: reject,
        complete: () => resolve(results),
      },
    );
  });
}

const sseClient = (t: TestApp, singleConnection: boolean, key = adminKey) =>
  createSseClient({
    url: `${t.url}/graphql`,
    headers: { authorization: `Bearer ${key}` },
    singleConnection,
    retryAttempts: 0,
  });

describe.each(drivers)('subscribing with common GraphQL clients on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ driver });
  });
  afterAll(() => t.close());

  it("streams completionStream to Apollo Client's default HttpLink (HTTP multipart)", async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: `${t.url}/graphql`, headers: { authorization: `Bearer ${adminKey}` } }),
      cache: new InMemoryCache(),
    });
    const prompt = 'Apollo reads these words over multipart';
    const chunks: Chunk[] = [];
    await new Promise<void>((resolve, reject) => {
      client
        .subscribe<{ completionStream: Chunk }>({
          query: gql(completionSubscription),
          variables: { input: echoInput(prompt) },
          fetchPolicy: 'no-cache',
        })
        .subscribe({
          next: (result) => {
            if (result.error) return reject(result.error);
            chunks.push(result.data!.completionStream);
          },
          error: reject,
          complete: resolve,
        });
    });
    await expectEchoStream(t, chunks, prompt);
  });

  it("answers Apollo's multipart subscription with the multipart content type, a part per result", async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0, application/json',
        authorization: `Bearer ${adminKey}`,
      },
      body: JSON.stringify({ query: completionSubscription, variables: { input: echoInput('one two') } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary="graphql"/);
    const body = await response.text();
    expect(body.endsWith('\r\n--graphql--\r\n')).toBe(true);
    const parts = body
      .split('\r\n--graphql')
      .map((part) => part.slice(part.indexOf('\r\n\r\n') + 4))
      .filter((part) => part.startsWith('{'))
      .map((part) => JSON.parse(part) as { payload?: StreamResult });
    expect(parts.at(-1)?.payload?.data?.completionStream.__typename).toBe('CompletionDoneChunk');
  });

  it('gives Apollo the GraphQL errors of a subscription that cannot start, not an empty 406', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: `${t.url}/graphql`, headers: { authorization: `Bearer ${adminKey}` } }),
      cache: new InMemoryCache(),
    });
    const error = await new Promise<unknown>((resolve) => {
      client
        .subscribe({
          query: gql(
            'subscription Bad($input: CompletionInput!) { completionStream(input: $input) { __typename } }',
          ),
          variables: { input: { models: ['local/echo'] } },
        })
        .subscribe({
          next: (result) => resolve(result.error),
          error: resolve,
          complete: () => resolve(undefined),
        });
    });
    expect(String(error)).toMatch(/messages/);
  });

  it('streams completionStream to graphql-sse in its default distinct connections mode', async () => {
    const client = sseClient(t, false);
    const prompt = 'graphql-sse distinct connection words';
    try {
      const results = await collectSse(client, { input: echoInput(prompt) });
      expect(results.every((result) => result.errors === undefined)).toBe(true);
      await expectEchoStream(
        t,
        results.map((result) => result.data!.completionStream),
        prompt,
      );
    } finally {
      client.dispose();
    }
  });

  it('streams completionStream to graphql-sse in single connection mode (PUT, stream, POST with the token)', async () => {
    const client = sseClient(t, true);
    try {
      const prompts = ['single connection first words', 'single connection second words'];
      // Two operations at once on the one stream.
      const both = await Promise.all(
        prompts.map((prompt) => collectSse(client, { input: echoInput(prompt) })),
      );
      for (const [index, results] of both.entries()) {
        expect(results.every((result) => result.errors === undefined)).toBe(true);
        await expectEchoStream(
          t,
          results.map((result) => result.data!.completionStream),
          prompts[index]!,
        );
      }
    } finally {
      client.dispose();
    }
  });

  it('reports invalid input over a single connection as BAD_USER_INPUT on the stream', async () => {
    const client = sseClient(t, true);
    try {
      const results = await collectSse(client, { input: echoInput('hi', { temperature: 7 }) });
      expect(results).toHaveLength(1);
      expect(results[0]!.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    } finally {
      client.dispose();
    }
  });

  it("refuses a single-connection reservation without a valid key, and another key's stream token", async () => {
    const put = (key: string | null) =>
      fetch(`${t.url}/graphql`, {
        method: 'PUT',
        headers: key === null ? {} : { authorization: `Bearer ${key}` },
      });
    const anonymous = await put(null);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as StreamResult).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const reserved = await put(adminKey);
    expect(reserved.status).toBe(201);
    const token = await reserved.text();
    const { createApiKey } = await queryData<{ createApiKey: { secret: string } }>(
      t.url,
      'mutation { createApiKey(input: { name: "other" }) { secret } }',
    );
    const stolen = await fetch(`${t.url}/graphql`, {
      headers: {
        accept: 'text/event-stream',
        authorization: `Bearer ${createApiKey.secret}`,
        'x-graphql-event-stream-token': token,
      },
    });
    expect(stolen.status).toBe(404);
    expect(((await stolen.json()) as StreamResult).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
