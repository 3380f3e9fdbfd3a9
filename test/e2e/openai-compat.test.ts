import { asc, eq } from 'drizzle-orm';
import OpenAI, {
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  UnprocessableEntityError,
} from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, completions, conversations, messages } from '../../src/db/schema.js';
import { readSseEvents } from '../support/sse.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

describe.each(drivers)('OpenAI-compatible /v1 with the official openai client on %s', (driver) => {
  let t: TestApp;
  let client: OpenAI;
  beforeAll(async () => {
    t = await startTestApp({
      driver,
      // A catalog entry of a provider whose key is unset: /v1/models must not list it.
      configFile: { models: [{ id: 'openai/gpt-4o', inputPricePerMTok: 2.5, outputPricePerMTok: 10 }] },
      env: { OPENAI_API_KEY: undefined },
    });
    client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: adminKey });
  });
  afterAll(() => t.close());

  const countRows = async () => {
    await t.settled();
    const { db } = t.db.database;
    return {
      completions: (await db.select().from(completions)).length,
      conversations: (await db.select().from(conversations)).length,
      messages: (await db.select().from(messages)).length,
    };
  };

  const storedCompletion = async (conversationId: string) => {
    await t.settled();
    const [row] = await t.db.database.db
      .select()
      .from(completions)
      .where(eq(completions.conversationId, conversationId));
    return row;
  };

  it('creates a chat completion answered by the chosen model, with usage, cost and the conversation id', async () => {
    const { data: completion, response } = await client.chat.completions
      .create({
        model: 'local/echo',
        messages: [
          { role: 'developer', content: 'You are a helpful assistant.' },
          { role: 'user', content: [{ type: 'text', text: 'Explain how LLM routing works.' }] },
        ],
        temperature: 0.2,
        max_completion_tokens: 200,
        user: 'end-user-42',
      })
      .withResponse();

    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'local/echo',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Explain how LLM routing works.' },
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(completion.id).toMatch(/^chatcmpl-[0-9a-f-]{36}$/);
    expect(completion.created).toBeGreaterThan(1_700_000_000);
    const usage = completion.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect((usage as unknown as { cost: number }).cost).toBe(0);

    const conversationId = response.headers.get('x-switchyard-conversation-id')!;
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);
    const extension = (completion as unknown as { switchyard: Record<string, unknown> }).switchyard;
    expect(extension).toMatchObject({
      provider: 'local',
      conversation_id: conversationId,
      conversation_title: 'Explain how LLM routing works.',
      response_message_id: completion.id.slice('chatcmpl-'.length),
      attempts: [{ provider: 'local', model: 'echo', outcome: 'succeeded' }],
    });

    // Stored like any other completion: the developer message as a system turn.
    const row = await storedCompletion(conversationId);
    expect(row).toMatchObject({
      provider: 'local',
      model: 'echo',
      status: 'succeeded',
      stream: false,
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      responseMessageId: extension.response_message_id,
    });
    const turns = await t.db.database.db
      .select({ role: messages.role, content: messages.content })
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(asc(messages.seq));
    expect(turns).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'You are a helpful assistant.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Explain how LLM routing works.' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Explain how LLM routing works.' }] },
    ]);
  });

  it('streams chunks: the role first, content deltas, the finish reason, then usage with cost', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'local/echo',
        messages: [{ role: 'user', content: 'stream these four words' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const conversationId = response.headers.get('x-switchyard-conversation-id')!;
    const first = chunks[0]!;
    expect(first.choices[0]!.delta).toMatchObject({ role: 'assistant', content: '' });
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ object: 'chat.completion.chunk', id: first.id, model: 'local/echo' });
    }
    const contentChunks = chunks.slice(1, -2);
    expect(contentChunks).toHaveLength(4);
    expect(contentChunks.map((chunk) => chunk.choices[0]!.delta.content).join('')).toBe(
      'stream these four words',
    );
    for (const chunk of chunks.slice(0, -1)) expect(chunk.usage).toBeNull();

    const finish = chunks.at(-2)!;
    expect(finish.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
      cost: 0,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });

    const row = await storedCompletion(conversationId);
    expect(row).toMatchObject({
      stream: true,
      status: 'succeeded',
      completionTokens: usageChunk.usage!.completion_tokens,
      responseMessageId: first.id.slice('chatcmpl-'.length),
    });
  });

  it('ends a stream with data: [DONE], and sends no usage chunk unless asked', async () => {
    const response = await t.post('/v1/chat/completions', {
      model: 'local/echo',
      messages: [{ role: 'user', content: 'two words' }],
      stream: true,
    });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    const events = await readSseEvents(new Response(body.slice(0, -'data: [DONE]\n\n'.length)));
    expect(events.map((event) => (event.choices as unknown[]).length)).toEqual([1, 1, 1, 1]);
    expect(events.every((event) => !('usage' in event))).toBe(true);
    expect(events.at(-1)).toMatchObject({
      choices: [{ finish_reason: 'stop' }],
      switchyard: { provider: 'local' },
    });
  });

  it('routes over a models pool and continues a conversation by conversation_id', async () => {
    const first = await client.chat.completions.create({
      model: 'local/echo',
      messages: [{ role: 'user', content: 'first question' }],
    });
    const conversationId = (first as unknown as { switchyard: { conversation_id: string } }).switchyard
      .conversation_id;
    const second = await client.chat.completions.create({
      model: 'local/echo',
      messages: [{ role: 'user', content: 'second question' }],
      // Switchyard's own fields, sent as extra body parameters.
      ...{ models: ['local/echo'], conversation_id: conversationId },
    });
    expect(second.choices[0]!.message.content).toBe('second question');
    expect(second.usage!.prompt_tokens).toBeGreaterThan(first.usage!.prompt_tokens);
    await t.settled();
    const turns = await t.db.database.db
      .select({ role: messages.role })
      .from(messages)
      .where(eq(messages.conversationId, conversationId));
    expect(turns).toHaveLength(4);

    // A body may name only the pool; the official client always sends `model`, others need not.
    const poolOnly = await t.post('/v1/chat/completions', {
      models: ['local/echo'],
      messages: [{ role: 'user', content: 'pool only' }],
    });
    expect(poolOnly.status).toBe(200);
    expect(await poolOnly.json()).toMatchObject({
      model: 'local/echo',
      choices: [{ message: { content: 'pool only' } }],
    });
  });

  it('lists and retrieves the models of configured providers only', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models).toContainEqual({
      id: 'local/echo',
      object: 'model',
      created: 0,
      owned_by: 'local',
      kind: 'chat',
    });
    expect(models.map((model) => model.id)).not.toContain('openai/gpt-4o');

    expect(await client.models.retrieve('local/echo')).toMatchObject({ id: 'local/echo', owned_by: 'local' });
    const missing = await client.models.retrieve('openai/gpt-4o').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).param).toBe('model');
    // The id's slash may also come unencoded.
    const raw = await fetch(`${t.url}/v1/models/local/echo`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(await raw.json()).toMatchObject({ id: 'local/echo', object: 'model' });
  });

  it('raises BadRequestError naming the parameter, for invalid and unsupported parameters, and stores nothing', async () => {
    const before = await countRows();
    const base = { model: 'local/echo', messages: [{ role: 'user' as const, content: 'hi' }] };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ temperature: 2.5 }, 'temperature', 'invalid_value'],
      [{ n: 9 }, 'n', 'invalid_value'],
      [
        { tools: [{ type: 'function', function: { name: 'look up', parameters: {} } }] },
        'tools.0.function.name',
        'invalid_value',
      ],
      [
        { response_format: { type: 'json_schema', json_schema: { name: 'answer' } } },
        'response_format.json_schema.schema',
        'invalid_value',
      ],
      [{ top_logprobs: 2 }, 'top_logprobs', 'invalid_value'],
      [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', 'invalid_value'],
      [{ functions: [{ name: 'lookup' }] }, 'functions', 'unsupported_parameter'],
      [
        { messages: [{ role: 'function', name: 'lookup', content: 'x' }] },
        'messages.0.role',
        'invalid_value',
      ],
      [
        { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }] },
        'messages.0.content.0.image_url.url',
        'invalid_value',
      ],
      [{ model: 'gpt-4o' }, 'model', 'invalid_value'],
      [{ model: undefined }, 'model', 'missing_required_parameter'],
      [{ max_tokens: 10, max_completion_tokens: 20 }, 'max_completion_tokens', 'invalid_value'],
      [{ stream_options: { include_usage: true } }, 'stream_options', 'invalid_value'],
      [{ surprise: true }, 'surprise', 'unknown_parameter'],
    ];
    for (const [change, param, code] of cases) {
      const error = await client.chat.completions
        .create({ ...base, ...change } as OpenAI.ChatCompletionCreateParamsNonStreaming)
        .catch((caught: unknown) => caught);
      expect(error, param).toBeInstanceOf(BadRequestError);
      const apiError = error as BadRequestError;
      expect(apiError.status).toBe(400);
      expect(apiError.type).toBe('invalid_request_error');
      expect(apiError.param, JSON.stringify(change)).toBe(param);
      expect(apiError.code, param).toBe(code);
      expect(apiError.message).toContain(param);
    }
    expect(await countRows()).toEqual(before);
  });

  it('accepts neutral values of parameters it cannot honour, and harmless hints', async () => {
    const completion = await client.chat.completions.create({
      model: 'local/echo',
      messages: [
        {
          role: 'user',
          name: 'alice',
          content: [
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
            { type: 'text', text: 'defaults are fine' },
          ],
        },
      ],
      temperature: null,
      n: 1,
      top_p: 1,
      frequency_penalty: 0,
      presence_penalty: 0,
      tools: [],
      response_format: { type: 'text' },
      logprobs: false,
      stop: null,
      seed: null,
      max_tokens: 50,
      store: false,
      metadata: { team: 'search' },
      parallel_tool_calls: false,
      prompt_cache_key: 'k',
      safety_identifier: 'u-1',
    });
    expect(completion.choices[0]!.message.content).toBe('defaults are fine');
  });

  it('raises AuthenticationError for a missing or unknown key, on every /v1 route', async () => {
    const stranger = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: 'sy-not-a-real-key' });
    const create = await stranger.chat.completions
      .create({ model: 'local/echo', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(create).toBeInstanceOf(AuthenticationError);
    expect((create as AuthenticationError).code).toBe('invalid_api_key');
    expect(await stranger.models.list().catch((error: unknown) => error)).toBeInstanceOf(AuthenticationError);

    const missing = await fetch(`${t.url}/v1/models`);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
  });

  it('raises InternalServerError (502) when every candidate fails upstream, without client retries, and records the attempts', async () => {
    const before = await countRows();
    for (const stream of [false, true]) {
      const error = await client.chat.completions
        .create({ model: 'local/no-such-model', messages: [{ role: 'user', content: 'hi' }], stream })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InternalServerError);
      const apiError = error as InternalServerError;
      expect(apiError.status).toBe(502);
      expect(apiError.code).toBe('upstream_failed');
      expect(apiError.type).toBe('server_error');
      expect(apiError.headers?.get('x-should-retry')).toBe('false');
      expect((apiError.error as { attempts: unknown[] }).attempts).toEqual([
        expect.objectContaining({
          provider: 'local',
          model: 'no-such-model',
          outcome: 'failed',
          errorKind: 'not_found',
        }),
      ]);
    }
    // One failed completion per request: the client did not retry what the gateway had tried.
    const after = await countRows();
    expect(after.completions).toBe(before.completions + 2);
    expect(after.messages).toBe(before.messages);
    const failed = await t.db.database.db.select().from(completions).where(eq(completions.status, 'failed'));
    expect(failed.map((row) => row.errorCode)).toEqual(['upstream_failed', 'upstream_failed']);
    const failedAttempts = await t.db.database.db
      .select()
      .from(attempts)
      .where(eq(attempts.completionId, failed[0]!.id));
    expect(failedAttempts).toHaveLength(1);
  });

  it('raises UnprocessableEntityError (422) when no candidate can serve the request', async () => {
    const error = await client.chat.completions
      .create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect((error as UnprocessableEntityError).code).toBe('no_eligible_model');
    expect((error as UnprocessableEntityError).message).toContain('openai/gpt-4o');
  });

  it('answers unknown routes, wrong methods, bad JSON and oversized bodies in the OpenAI error shape', async () => {
    const auth = { authorization: `Bearer ${adminKey}` };
    const unknown = await fetch(`${t.url}/v1/audio/speech`, { method: 'POST', headers: auth, body: '{}' });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'not_found' });

    const wrongMethod = await fetch(`${t.url}/v1/chat/completions`, { headers: auth });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect((await wrongMethod.json()).error).toMatchObject({ code: 'method_not_allowed', param: null });

    const badJson = await t.post('/v1/chat/completions', '{"model": ');
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_request',
    });

    const huge = await t.post('/v1/chat/completions', {
      model: 'local/echo',
      messages: [{ role: 'user', content: 'x'.repeat(11 * 1024 * 1024) }],
    });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error).toMatchObject({ code: 'payload_too_large' });
  });
});
