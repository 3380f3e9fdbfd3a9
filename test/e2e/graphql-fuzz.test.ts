import fc from 'fast-check';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  documentArbitrary,
  requestBodyArbitrary,
  spellOut,
  variableObjectArbitrary,
} from '../support/graphql-arbitraries.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

/** Fails unless `value` is a GraphQL error a client can show: a message, no stack, no internals. */
function expectClientError(value: unknown): void {
  expect(value).toBeTypeOf('object');
  const error = value as Record<string, unknown>;
  expect(error.message).toBeTypeOf('string');
  expect(error).not.toHaveProperty('stack');
  const extensions = (error.extensions ?? {}) as Record<string, unknown>;
  expect(extensions).not.toHaveProperty('stack');
  expect(extensions).not.toHaveProperty('http');
  // A masked internal error means the server failed, not the request.
  expect(extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
  expect(error.message).not.toBe('Unexpected error.');
  // Nor the text of a JavaScript failure inside the server.
  expect(error.message).not.toMatch(
    /Maximum call stack|RangeError|TypeError|is not a function|Cannot read prop/,
  );
}

/** Fails unless `text` is a GraphQL response body: `data` and/or a non-empty `errors` list. */
function expectGraphQLResponse(text: string): void {
  expect(text, 'a stack trace in the body').not.toMatch(/\n\s+at \S|"stack"/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(typeof body === 'object' && body !== null && !Array.isArray(body)).toBe(true);
  expect('data' in body || 'errors' in body).toBe(true);
  if ('errors' in body) {
    expect(Array.isArray(body.errors) && body.errors.length > 0).toBe(true);
    for (const error of body.errors as unknown[]) expectClientError(error);
  }
}

/** `ws`, writing out the deep placeholders of the arbitraries, which JSON.stringify could not. */
class SpellingOutWebSocket extends WebSocket {
  override send(data: unknown, ...rest: unknown[]): void {
    const send = super.send as (...args: unknown[]) => void;
    send.call(this, typeof data === 'string' ? spellOut(data) : data, ...rest);
  }
}

const maxBodyBytes = 1_000_000;

const accepts = [
  'application/graphql-response+json, application/json',
  'application/json',
  'application/graphql-response+json',
  '*/*',
  'text/plain',
];

describe.each(drivers)('GraphQL answers every input without a 5xx on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ driver, configFile: { limits: { maxBodyBytes } } });
  });
  afterAll(() => t.close());

  const post = (body: string, accept = accepts[0]!) =>
    fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${adminKey}` },
      body,
    });

  it('refuses an argument nested thousands of levels deep with a syntax error naming the nesting', async () => {
    const response = await post(
      JSON.stringify({ query: `{ models(x: ${'['.repeat(3000)}${']'.repeat(3000)}) { id } }` }),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors[0]!.message).toMatch(/nests lists and objects more than \d+ levels deep/);
  });

  it('refuses selections nested thousands of levels deep the same way', async () => {
    const response = await post(
      JSON.stringify({ query: `{ ${'me { '.repeat(3000)}name${' }'.repeat(3000)} }` }),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses a variable nested thousands of levels deep with BAD_USER_INPUT naming the variable', async () => {
    const response = await post(
      spellOut(
        JSON.stringify({
          query: 'mutation Run($input: CompletionInput!) { completion(input: $input) { model } }',
          variables: { input: { models: ['local/echo'], messages: '__fuzz_deep__l50000' } },
        }),
      ),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(body.errors[0]!.message).toMatch(
      /^Variable "\$input" nests lists and objects more than \d+ levels deep/,
    );
  });

  it('answers a subscription sent without a streaming Accept with a 406 that says what to send', async () => {
    const response = await post(
      JSON.stringify({
        query:
          'subscription { completionStream(input: { models: ["local/echo"], messages: [{ role: USER, content: [{ type: TEXT, text: "hi" }] }] }) { __typename } }',
      }),
      'application/json',
    );
    expect(response.status).toBe(406);
    const text = await response.text();
    expectGraphQLResponse(text);
    expect(text).toContain('text/event-stream');
  });

  it('refuses a body over limits.maxBodyBytes with 413, whether its length is declared or not', async () => {
    const body = JSON.stringify({ query: `{ me { name } } # ${'x'.repeat(maxBodyBytes)}` });
    const declared = await post(body);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    const encoded = new TextEncoder().encode(body);
    const chunked = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: accepts[0]!,
        authorization: `Bearer ${adminKey}`,
      },
      body: new ReadableStream({
        start(controller) {
          for (let at = 0; at < encoded.length; at += 64 * 1024)
            controller.enqueue(encoded.slice(at, at + 64 * 1024));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const text = await chunked.text();
    expectGraphQLResponse(text);
    expect(text).toContain('PAYLOAD_TOO_LARGE');
  });

  it('never answers 5xx over HTTP, whatever the document, variables or arguments', async () => {
    await fc.assert(
      fc.asyncProperty(requestBodyArbitrary, fc.constantFrom(...accepts), async (body, accept) => {
        const response = await post(body, accept);
        expect(response.status).toBeLessThan(500);
        expect(response.headers.get('content-type')).toMatch(/json/);
        expectGraphQLResponse(await response.text());
      }),
      { numRuns: 200 },
    );
  });

  it('never ends a WebSocket operation with an internal error, whatever the document or variables', async () => {
    const connect = (closes: number[]): Client =>
      createClient({
        url: `${t.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: SpellingOutWebSocket,
        connectionParams: { authorization: `Bearer ${adminKey}` },
        retryAttempts: 0,
        lazy: true,
        on: { closed: (event) => closes.push((event as { code: number }).code) },
      });
    await fc.assert(
      fc.asyncProperty(documentArbitrary, variableObjectArbitrary, async (query, variables) => {
        const closes: number[] = [];
        const client = connect(closes);
        const results: unknown[] = [];
        try {
          const ending = await new Promise<unknown>((resolve) => {
            client.subscribe(
              { query, variables },
              {
                next: (result) => results.push(result),
                error: resolve,
                complete: () => resolve('complete'),
              },
            );
          });
          for (const result of results) expectGraphQLResponse(JSON.stringify(result));
          if (Array.isArray(ending)) {
            // The server's `error` message: the operation was refused with GraphQL errors.
            expect(ending.length).toBeGreaterThan(0);
            for (const error of ending) expectClientError(JSON.parse(JSON.stringify(error)));
          } else if (ending !== 'complete') {
            // The socket closed: only for a message the protocol refuses (4400), never 4500 or 1011.
            expect(closes.at(-1), `the operation ended with ${String(ending)}`).toBe(4400);
          }
        } finally {
          await client.dispose();
        }
      }),
      { numRuns: 100 },
    );
  });
});
