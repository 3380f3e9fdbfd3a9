import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { completions } from '../../src/db/schema.js';
import { completionMutation, completionSubscription, createWsClient } from '../support/graphql.js';
import { type SlowUpstream, startSlowUpstream } from '../support/slow-upstream.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

const slowInput = {
  messages: [{ role: 'USER', content: [{ type: 'TEXT', text: 'count forever' }] }],
  models: ['slow/model-1'],
  maxRetries: 0,
};

describe.each(drivers)('cancelling completionStream closes the upstream request on %s', (driver) => {
  let upstream: SlowUpstream;
  let t: TestApp;
  beforeAll(async () => {
    upstream = await startSlowUpstream();
    t = await startTestApp({
      driver,
      env: { SLOW_API_KEY: 'sk-slow' },
      configFile: {
        providers: [
          { name: 'slow', kind: 'openai-compatible', baseURL: upstream.baseURL, apiKeyEnv: 'SLOW_API_KEY' },
        ],
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await upstream.close();
  });

  const storedAsClientClosed = async () => {
    await t.settled();
    return t.db.database.db
      .select({ status: completions.status })
      .from(completions)
      .where(and(eq(completions.errorCode, 'client_closed'), eq(completions.model, 'model-1')));
  };

  it('unsubscribing over graphql-ws closes the upstream request', async () => {
    const n = upstream.requests + 1;
    const client = createWsClient(t.url, { authorization: `Bearer ${adminKey}` });
    const iterator = client.iterate({ query: completionSubscription, variables: { input: slowInput } });
    for (let i = 0; i < 2; i++) {
      const { value } = await iterator.next();
      expect(value?.data).toMatchObject({
        completionStream: { __typename: 'CompletionTextChunk', text: 'tick ' },
      });
    }
    await iterator.return?.();
    await upstream.closed(n); // the test times out if the gateway never lets go
    await client.dispose();
    expect((await storedAsClientClosed()).length).toBeGreaterThanOrEqual(1);
  });

  it('closing the socket closes the upstream request', async () => {
    const n = upstream.requests + 1;
    const client = createWsClient(t.url, { authorization: `Bearer ${adminKey}` });
    const iterator = client.iterate({ query: completionSubscription, variables: { input: slowInput } });
    await iterator.next();
    await client.dispose();
    await upstream.closed(n);
  });

  it('aborting the SSE response closes the upstream request', async () => {
    const n = upstream.requests + 1;
    const controller = new AbortController();
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${adminKey}`,
      },
      body: JSON.stringify({ query: completionSubscription, variables: { input: slowInput } }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    while (!received.includes('tick')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended early: ${received}`);
      received += decoder.decode(value);
    }
    controller.abort();
    await upstream.closed(n);
  });

  it('a client that disconnects from the completion mutation closes the upstream request', async () => {
    const n = upstream.requests + 1;
    const controller = new AbortController();
    const answer = fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ query: completionMutation, variables: { input: slowInput } }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(upstream.requests).toBe(n));
    controller.abort();
    await upstream.closed(n);
    expect(await answer).toBeInstanceOf(Error);
  });
});
