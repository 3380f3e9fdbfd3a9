import Anthropic from '@anthropic-ai/sdk';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completions } from '../../src/db/schema.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

/** SPEC §8: the Anthropic surface's keys and errors, as the official client raises them. */

const ask = { model: 'openai/gpt-4o', max_tokens: 32, messages: [{ role: 'user' as const, content: 'Hi' }] };

/** What the client threw, for a matcher. */
async function thrown(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Anthropic.APIError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe.each(drivers)('the Anthropic surface refuses and fails on %s', (driver) => {
  let t: TestApp;
  let openai: Upstream;
  let client: Anthropic;

  beforeAll(async () => {
    openai = await startUpstream();
    t = await startTestApp({
      driver,
      random: () => 0,
      env: { OPENAI_API_KEY: 'sk-openai-test', OPENAI_BASE_URL: `${openai.url}/v1` },
      configFile: {
        models: [{ id: 'openai/gpt-4o', inputPricePerMTok: 0.5, outputPricePerMTok: 4 }],
        limits: { maxBodyBytes: 100_000 },
      },
    });
    client = new Anthropic({ baseURL: t.url, apiKey: adminKey, maxRetries: 0 });
  });
  beforeEach(() => openai.reset());
  afterAll(async () => {
    await t?.close();
    await openai?.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': adminKey }) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('takes the key as x-api-key (as Anthropic clients send it) and as a Bearer token', async () => {
    openai.reply(openaiChat.stream(['One.']), openaiChat.stream(['Two.']));
    const viaHeader = new Anthropic({
      baseURL: t.url,
      apiKey: null,
      authToken: null,
      defaultHeaders: { 'x-api-key': adminKey, 'anthropic-beta': 'interleaved-thinking-2025-05-14' },
      maxRetries: 0,
    });
    expect((await viaHeader.messages.create(ask)).content).toMatchObject([{ text: 'One.' }]);
    const viaBearer = new Anthropic({ baseURL: t.url, apiKey: null, authToken: adminKey, maxRetries: 0 });
    expect((await viaBearer.messages.create(ask)).content).toMatchObject([{ text: 'Two.' }]);
  });

  it('refuses a missing or unknown key with AuthenticationError, in either header', async () => {
    const wrong = new Anthropic({ baseURL: t.url, apiKey: 'sy-not-a-key', maxRetries: 0 });
    const error = await thrown(wrong.messages.create(ask));
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(await thrown(wrong.messages.countTokens(ask))).toBeInstanceOf(Anthropic.AuthenticationError);

    const missing = await post('/v1/messages', ask, {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: expect.stringContaining('x-api-key') },
    });
    expect(openai.received).toHaveLength(0);
  });

  it.each([
    ['max_tokens missing', { model: 'openai/gpt-4o', messages: ask.messages }, 'max_tokens'],
    ['model missing', { max_tokens: 10, messages: ask.messages }, 'model'],
    ['a model id that is not provider/model', { ...ask, model: 'claude-sonnet-4-5' }, 'model'],
    ['temperature above 1', { ...ask, temperature: 1.5 }, 'temperature'],
    ['an unknown field', { ...ask, frequency_penalty: 1 }, 'frequency_penalty: unknown field'],
    [
      'a system role in messages',
      { ...ask, messages: [{ role: 'system', content: 'x' }] },
      'messages.0.role',
    ],
    [
      'a tool_use block in a user turn',
      {
        ...ask,
        messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] }],
      },
      'messages.0.content.0.type',
    ],
    [
      'a server tool other than web search',
      { ...ask, tools: [{ type: 'bash_20250124', name: 'bash' }] },
      'tools.0',
    ],
    [
      'a tool choice naming no tool',
      {
        ...ask,
        tools: [{ name: 'a', input_schema: { type: 'object' } }],
        tool_choice: { type: 'tool', name: 'b' },
      },
      'tool_choice.name',
    ],
    [
      'a tool result answering no call',
      {
        ...ask,
        messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'nope', content: 'x' }] }],
      },
      'matches no tool call',
    ],
    [
      'a thinking budget under 1024',
      { ...ask, thinking: { type: 'enabled', budget_tokens: 100 } },
      'budget_tokens',
    ],
  ])('refuses %s with BadRequestError naming the field', async (_, body, field) => {
    const error = await thrown(client.messages.create(body as never));
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining(field) },
    });
    expect(error.requestID).toBeTruthy();
    expect(openai.received).toHaveLength(0);
  });

  it('answers malformed JSON, a body over the limit and a wrong method in the same shape', async () => {
    const malformed = await post('/v1/messages', '{"model":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });

    const tooLarge = await post('/v1/messages', { ...ask, system: 'x'.repeat(200_000) });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });

    const get = await fetch(`${t.url}/v1/messages`, { headers: { 'x-api-key': adminKey } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });

    const batches = await post('/v1/messages/batches', {});
    expect(batches.status).toBe(404);
    expect(await batches.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('raises NotFoundError for an unknown conversation and 422 for a model no provider serves', async () => {
    const unknown = await thrown(
      client.messages.create({
        ...ask,
        ...({ conversation_id: '00000000-0000-4000-8000-000000000000' } as object),
      }),
    );
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect(unknown.error).toMatchObject({ error: { type: 'not_found_error' } });

    const unserved = await thrown(client.messages.create({ ...ask, model: 'google/gemini-2.5-flash' }));
    expect(unserved).toBeInstanceOf(Anthropic.UnprocessableEntityError);
    expect(unserved.error).toMatchObject({
      error: { type: 'invalid_request_error', code: 'no_eligible_model' },
    });
  });

  it('fails a stream before its first token as a plain JSON error the client raises', async () => {
    openai.reply(openaiChat.error(500, { message: 'boom', type: 'server_error' }));
    const stream = client.messages.stream({ ...ask, ...({ max_retries: 0 } as object) });
    const error = await thrown(stream.finalMessage());
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect(error.status).toBe(502);
    expect(error.error).toMatchObject({
      type: 'error',
      error: { type: 'api_error', code: 'upstream_failed' },
    });
    expect(error.headers?.get('x-should-retry')).toBe('false');

    openai.reply(openaiChat.error(400, { message: 'bad tool schema', type: 'invalid_request_error' }));
    const rejected = await thrown(
      client.messages.stream({ ...ask, ...({ max_retries: 0 } as object) }).finalMessage(),
    );
    expect(rejected).toBeInstanceOf(Anthropic.BadRequestError);
    expect(rejected.error).toMatchObject({
      error: { type: 'invalid_request_error', code: 'upstream_rejected' },
    });
  });

  it('fails a stream after its first token with an in-band error event and no message_stop', async () => {
    openai.reply(openaiChat.streamError(['Partial '], { message: 'upstream died', type: 'server_error' }));
    const response = await post('/v1/messages', { ...ask, stream: true, max_retries: 0 });
    expect(response.status).toBe(200);
    const text = await response.text();
    const names = [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(names.slice(0, 4)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
    ]);
    expect(names.at(-1)).toBe('error');
    expect(names).not.toContain('message_stop');
    const last = JSON.parse(/data: (.+)\n\n$/.exec(text)![1]!);
    expect(last).toMatchObject({ type: 'error', error: { type: 'api_error' } });

    openai.reply(openaiChat.streamError(['Partial '], { message: 'upstream died', type: 'server_error' }));
    const stream = client.messages.stream({ ...ask, ...({ max_retries: 0 } as object) });
    const error = await thrown(stream.finalMessage());
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });

  it('counts nothing and stores nothing for a refused request', async () => {
    await t.settled();
    const [before] = await t.db.database.db.select({ n: count() }).from(completions);
    const error = await thrown(client.messages.countTokens({ model: 'openai/gpt-4o', messages: [] }));
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.error).toMatchObject({ error: { message: expect.stringContaining('messages') } });
    await t.settled();
    const [after] = await t.db.database.db.select({ n: count() }).from(completions);
    expect(after!.n).toBe(before!.n);
  });

  it("limits a key as everywhere, with Anthropic's rate-limit headers, RateLimitError and a billing error", async () => {
    openai.reply(openaiChat.stream(['Once.']));
    const limited = await t.app.apiKeys.create('anthropic-limited', ['user'], {
      limits: { requestsPerMinute: 1 },
    });
    const limitedClient = new Anthropic({ baseURL: t.url, apiKey: limited.secret, maxRetries: 0 });
    const { data, response } = await limitedClient.messages.create(ask).withResponse();
    expect(data.content).toMatchObject([{ text: 'Once.' }]);
    expect(response.headers.get('anthropic-ratelimit-requests-limit')).toBe('1');
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(Date.parse(response.headers.get('anthropic-ratelimit-requests-reset')!)).toBeGreaterThan(
      Date.now(),
    );

    const refused = await thrown(limitedClient.messages.create(ask));
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
    expect(refused.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(Number(refused.headers?.get('retry-after'))).toBeGreaterThan(0);

    const broke = await t.app.apiKeys.create('anthropic-broke', ['user'], {
      limits: { budgetUsd: '0.000001' },
    });
    const poor = new Anthropic({ baseURL: t.url, apiKey: broke.secret, maxRetries: 0 });
    const unpaid = await thrown(poor.messages.create({ ...ask, max_tokens: 4096 }));
    expect(unpaid.status).toBe(402);
    expect(unpaid.error).toMatchObject({ error: { type: 'billing_error', code: 'budget_exceeded' } });
    expect(openai.received).toHaveLength(1);
  });
});
