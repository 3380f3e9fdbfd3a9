import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completions } from '../../src/db/schema.js';
import {
  completionMutation,
  completionSubscription,
  createWsClient,
  echoInput,
  parseSse,
  postGraphQL,
  queryData,
} from '../support/graphql.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

// Prices on local/echo make every cost non-zero and checkable.
const pricedEcho = { models: [{ id: 'local/echo', inputPricePerMTok: 0.5, outputPricePerMTok: 4 }] };

interface Completion {
  provider: string;
  model: string;
  responseMessageId: string;
  conversationId: string;
  conversationTitle: string;
  message: { role: string; type: string; content: { type: string; text: string }[] };
  usage: {
    promptTokens: number;
    completionTokens: number;
    totalTokens: number;
    costs: { inputTokensCost: string; outputTokensCost: string; totalTokensCost: string };
  };
  latency: number;
  ttft: number;
  attempts: { provider: string; model: string; outcome: string }[];
}

type Chunk =
  | { __typename: 'CompletionTextChunk'; text: string; responseMessageId: string; conversationId: string }
  | { __typename: 'CompletionDoneChunk'; completion: Completion }
  | { __typename: 'CompletionErrorChunk'; code: string; message: string; afterText: boolean };

const conversationMessages = `
  query Conversation($id: ID!) {
    conversation(id: $id) { id title messages { id role content { type text } provider model complete } }
  }
`;

describe.each(drivers)('GraphQL completion and completionStream on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ driver, configFile: pricedEcho });
  });
  afterAll(() => t.close());

  const countCompletions = async () => {
    await t.settled();
    return (await t.db.database.db.select().from(completions)).length;
  };

  it('answers the completion mutation with every field of the REST response, in camelCase', async () => {
    const { completion } = await queryData<{ completion: Completion }>(t.url, completionMutation, {
      input: echoInput('Explain how LLM routing works.'),
    });
    expect(completion).toMatchObject({
      provider: 'local',
      model: 'echo',
      conversationTitle: 'Explain how LLM routing works.',
      message: {
        role: 'ASSISTANT',
        type: 'text',
        content: [{ type: 'TEXT', text: 'Explain how LLM routing works.' }],
      },
      attempts: [{ provider: 'local', model: 'echo', outcome: 'SUCCEEDED' }],
    });
    expect(completion.responseMessageId).toMatch(/^[0-9a-f-]{36}$/);
    const { usage } = completion;
    expect(usage.totalTokens).toBe(usage.promptTokens + usage.completionTokens);
    // 0.5 $/MTok in, 4 $/MTok out, as exact decimal strings.
    const dollars = (tokens: number, perMTok: number) => (tokens * perMTok) / 1e6;
    expect(Number(usage.costs.inputTokensCost)).toBeCloseTo(dollars(usage.promptTokens, 0.5), 12);
    expect(Number(usage.costs.outputTokensCost)).toBeCloseTo(dollars(usage.completionTokens, 4), 12);
    expect(Number(usage.costs.totalTokensCost)).toBeCloseTo(
      Number(usage.costs.inputTokensCost) + Number(usage.costs.outputTokensCost),
      12,
    );
    expect(completion.latency).toBeGreaterThanOrEqual(completion.ttft);

    await t.settled();
    const [row] = await t.db.database.db
      .select()
      .from(completions)
      .where(eq(completions.responseMessageId, completion.responseMessageId));
    expect(row).toMatchObject({
      conversationId: completion.conversationId,
      status: 'succeeded',
      stream: false,
    });
  });

  it('rejects invalid input with BAD_USER_INPUT naming each field, and stores nothing', async () => {
    const before = await countCompletions();
    const { status, body } = await postGraphQL(t.url, completionMutation, {
      input: echoInput('hi', { models: ['gpt-4o'], temperature: 3, maxRetries: 11 }),
    });
    expect(status).toBe(200);
    expect(body.data).toBeNull();
    const [error] = body.errors!;
    expect(error!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(error!.message).toContain('input.models.0: must be "provider/model"');
    expect(error!.message).toContain('input.temperature');
    expect(error!.message).toContain('input.maxRetries');
    expect(await countCompletions()).toBe(before);
  });

  it('applies the REST content rules to GraphQL parts: an image part needs an image URL', async () => {
    const { body } = await postGraphQL(t.url, completionMutation, {
      input: {
        messages: [
          { role: 'USER', content: [{ type: 'IMAGE_URL', imageUrl: 'http://insecure.example/cat.png' }] },
        ],
        models: ['local/echo'],
      },
    });
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toContain(
      'input.messages.0.content.0.imageUrl.url: must be an https URL',
    );
  });

  it('answers a missing key with 401 UNAUTHENTICATED and an unknown conversation with NOT_FOUND', async () => {
    const denied = await postGraphQL(t.url, completionMutation, { input: echoInput('hi') }, null);
    expect(denied.status).toBe(401);
    expect(denied.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');

    const missing = '00000000-0000-4000-8000-000000000000';
    const { body } = await postGraphQL(t.url, completionMutation, {
      input: echoInput('hi', { conversationId: missing }),
    });
    expect(body.errors![0]).toMatchObject({
      message: `conversation ${missing} was not found`,
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('answers a request no candidate can serve with NO_ELIGIBLE_MODEL', async () => {
    const { body } = await postGraphQL(t.url, completionMutation, {
      input: echoInput('hi', { models: ['openai/gpt-4o'] }),
    });
    expect(body.errors![0]!.extensions!.code).toBe('NO_ELIGIBLE_MODEL');
    expect(body.errors![0]!.message).not.toBe('Unexpected error.');
  });

  it('streams text chunks then the whole completion over graphql-ws; the text is what was stored', async () => {
    const client = createWsClient(t.url, { authorization: `Bearer ${adminKey}` });
    const chunks: Chunk[] = [];
    try {
      for await (const result of client.iterate<{ completionStream: Chunk }>({
        query: completionSubscription,
        variables: { input: echoInput('Stream these five words back') },
      })) {
        expect(result.errors).toBeUndefined();
        chunks.push(result.data!.completionStream);
      }
    } finally {
      await client.dispose();
    }
    const texts = chunks.filter((chunk) => chunk.__typename === 'CompletionTextChunk');
    const last = chunks.at(-1)!;
    expect(texts.length).toBeGreaterThan(1);
    expect(chunks.slice(0, -1)).toEqual(texts);
    if (last.__typename !== 'CompletionDoneChunk') throw new Error(`ended with ${last.__typename}`);
    const streamed = texts.map((chunk) => chunk.text).join('');
    expect(streamed).toBe('Stream these five words back');
    expect(last.completion.message.content[0]!.text).toBe(streamed);
    expect(texts.every((chunk) => chunk.responseMessageId === last.completion.responseMessageId)).toBe(true);

    const { conversation } = await queryData<{
      conversation: {
        messages: { id: string; role: string; content: { text: string }[]; complete: boolean }[];
      };
    }>(t.url, conversationMessages, { id: last.completion.conversationId });
    const answer = conversation.messages.at(-1)!;
    expect(answer).toMatchObject({
      id: last.completion.responseMessageId,
      role: 'ASSISTANT',
      complete: true,
    });
    expect(answer.content[0]!.text).toBe(streamed);
  });

  it('ends a subscription that cannot start with one typed error chunk', async () => {
    const client = createWsClient(t.url, { authorization: `Bearer ${adminKey}` });
    const chunks: Chunk[] = [];
    try {
      for await (const result of client.iterate<{ completionStream: Chunk }>({
        query: completionSubscription,
        variables: { input: echoInput('hi', { models: ['openai/gpt-4o'] }) },
      })) {
        chunks.push(result.data!.completionStream);
      }
    } finally {
      await client.dispose();
    }
    expect(chunks).toEqual([
      {
        __typename: 'CompletionErrorChunk',
        code: 'NO_ELIGIBLE_MODEL',
        message: expect.any(String),
        afterText: false,
      },
    ]);
  });

  it('reports invalid subscription input as BAD_USER_INPUT over graphql-ws', async () => {
    const client = createWsClient(t.url, { authorization: `Bearer ${adminKey}` });
    try {
      const results = [];
      for await (const result of client.iterate({
        query: completionSubscription,
        variables: { input: echoInput('hi', { models: [] }) },
      })) {
        results.push(result);
      }
      expect(results).toHaveLength(1);
      expect(results[0]!.errors![0]).toMatchObject({
        message: expect.stringContaining('input.models: must name at least one model'),
        extensions: { code: 'BAD_USER_INPUT' },
      });
    } finally {
      await client.dispose();
    }
  });

  it('runs WebSocket operations through the same plugins and context as HTTP', async () => {
    const client = createWsClient(t.url, { authorization: `Bearer ${adminKey}` });
    try {
      const first = async (query: string) => (await client.iterate({ query }).next()).value;
      expect(await first('{ me { name admin } }')).toEqual({
        data: { me: { name: 'admin (ADMIN_API_KEY)', admin: true } },
      });
      const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: health`).join(' ');
      // A rejected document is a graphql-ws `error` message: the iteration throws its errors.
      const limited = await first(`{ ${aliases} }`).catch((errors: unknown) => errors);
      expect(limited).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/aliases limit/i) }),
      ]);
      const missing = await first('{ conversation(id: "00000000-0000-4000-8000-000000000000") { id } }');
      expect(missing?.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    } finally {
      await client.dispose();
    }
  });

  it('closes a WebSocket without a valid key with 4401 UNAUTHENTICATED', async () => {
    for (const connectionParams of [{}, { authorization: 'Bearer sy-not-a-key' }]) {
      const client = createWsClient(t.url, connectionParams);
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        client.on('closed', (event) => {
          const { code, reason } = event as { code: number; reason: string };
          resolve({ code, reason });
        }),
      );
      const outcome = await client
        .iterate({ query: '{ health }' })
        .next()
        .catch((error: unknown) => error);
      expect(outcome).toMatchObject({ code: 4401 });
      expect(await closed).toEqual({
        code: 4401,
        reason: expect.stringContaining('UNAUTHENTICATED'),
      });
      await client.dispose();
    }
  });

  it('streams the completion over SSE (POST, Accept: text/event-stream)', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${adminKey}`,
      },
      body: JSON.stringify({
        query: completionSubscription,
        variables: { input: echoInput('Over server sent events') },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await response.text());
    expect(events.at(-1)!.event).toBe('complete');
    const chunks = events
      .filter((event) => event.event === 'next')
      .map(
        (event) => (JSON.parse(event.data) as { data: { completionStream: Chunk } }).data.completionStream,
      );
    const last = chunks.at(-1)!;
    if (last.__typename !== 'CompletionDoneChunk') throw new Error(`ended with ${last.__typename}`);
    const streamed = chunks
      .flatMap((chunk) => (chunk.__typename === 'CompletionTextChunk' ? [chunk.text] : []))
      .join('');
    expect(streamed).toBe('Over server sent events');
    expect(last.completion.message.content[0]!.text).toBe(streamed);

    const { conversation } = await queryData<{
      conversation: { messages: { content: { text: string }[] }[] };
    }>(t.url, conversationMessages, { id: last.completion.conversationId });
    expect(conversation.messages.at(-1)!.content[0]!.text).toBe(streamed);
  });
});
