import OpenAI, { APIError, RateLimitError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryData } from '../support/graphql.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

/** local/echo gets a price so usage has costs; acme is an OpenAI-format upstream run by the test. */
const configFile = (acmeURL: string) => ({
  providers: [
    { name: 'acme', kind: 'openai-compatible', baseURL: `${acmeURL}/v1`, apiKeyEnv: 'ACME_API_KEY' },
  ],
  models: [
    { id: 'local/echo', inputPricePerMTok: 1, outputPricePerMTok: 2 },
    { id: 'acme/busy-1', inputPricePerMTok: 1, outputPricePerMTok: 2 },
    { id: 'acme/busy-2', inputPricePerMTok: 1, outputPricePerMTok: 2 },
    { id: 'acme/flaky-1', inputPricePerMTok: 1, outputPricePerMTok: 2 },
  ],
});

const ask = (text: string) => [{ role: 'user' as const, content: text }];

/** OpenAI's reset style: `12s` or `1m0s`. */
const resetPattern = /^(\d+s|1m0s)$/;

describe.each(drivers)('OpenAI-compatible surface: limits, upstream failures and GraphQL on %s', (driver) => {
  let acme: Upstream;
  let t: TestApp;
  beforeAll(async () => {
    acme = await startUpstream();
    t = await startTestApp({
      driver,
      random: () => 0,
      env: { ACME_API_KEY: 'acme-test-key' },
      configFile: configFile(acme.url),
    });
  });
  beforeEach(() => acme.reset());
  afterAll(async () => {
    await t.close();
    await acme.close();
  });

  /** The client as shipped, but without its own retries, so each call is one request. */
  const clientFor = (key: string) => new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key, maxRetries: 0 });

  it("sends OpenAI's x-ratelimit headers on JSON and streamed answers, and on the 429 the client raises as RateLimitError", async () => {
    const key = await t.app.apiKeys.create('rate limited', ['user'], {
      limits: { requestsPerMinute: 2, tokensPerMinute: 100_000 },
    });
    const client = clientFor(key.secret);

    const { response: json } = await client.chat.completions
      .create({ model: 'local/echo', messages: ask('counted once'), max_completion_tokens: 50 })
      .withResponse();
    expect(json.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(json.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(json.headers.get('x-ratelimit-reset-requests')).toMatch(resetPattern);
    expect(json.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    const remainingTokens = Number(json.headers.get('x-ratelimit-remaining-tokens'));
    expect(remainingTokens).toBeLessThan(100_000);
    expect(remainingTokens).toBeGreaterThan(99_000);
    expect(json.headers.get('x-ratelimit-reset-tokens')).toMatch(resetPattern);
    // REST's names are not used here.
    expect(json.headers.get('x-ratelimit-limit')).toBeNull();

    const { data: stream, response: streamed } = await client.chat.completions
      .create({
        model: 'local/echo',
        messages: ask('counted twice'),
        stream: true,
        max_completion_tokens: 50,
      })
      .withResponse();
    expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(streamed.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(streamed.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(streamed.headers.get('x-ratelimit-reset-requests')).toMatch(resetPattern);
    expect(streamed.headers.get('x-ratelimit-remaining-tokens')).not.toBeNull();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('counted twice');

    const refused = await client.chat.completions
      .create({ model: 'local/echo', messages: ask('one too many'), stream: true })
      .catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(RateLimitError);
    const error = refused as RateLimitError;
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
    const retryAfter = Number(error.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(error.headers?.get('x-ratelimit-limit-requests')).toBe('2');
    expect(error.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(error.headers?.get('x-ratelimit-reset-requests')).toMatch(resetPattern);
  });

  it('sends no rate-limit headers for a key without rate limits', async () => {
    const { response } = await clientFor(adminKey)
      .chat.completions.create({ model: 'local/echo', messages: ask('unlimited') })
      .withResponse();
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBeNull();
  });

  it("shows completions made with the openai client in that key's GraphQL conversations and usage, and not another key's", async () => {
    const made = await t.app.apiKeys.create('openai user', ['user']);
    const other = await t.app.apiKeys.create('bystander', ['user']);
    const client = clientFor(made.secret);

    const { data: completion, response } = await client.chat.completions
      .create({ model: 'local/echo', messages: ask('First question through the openai client') })
      .withResponse();
    const { data: stream, response: streamed } = await client.chat.completions
      .create({
        model: 'local/echo',
        messages: ask('Second question, streamed'),
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    let streamedUsage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) streamedUsage = chunk.usage ?? streamedUsage;
    const conversationIds = [
      response.headers.get('x-switchyard-conversation-id')!,
      streamed.headers.get('x-switchyard-conversation-id')!,
    ];
    const usages = [completion.usage!, streamedUsage!];

    const listQuery =
      '{ conversations(first: 50) { edges { node { id title messages { role content { text } } } } } }';
    type Listed = {
      conversations: {
        edges: {
          node: { id: string; title: string; messages: { role: string; content: { text: string }[] }[] };
        }[];
      };
    };
    const mine = await queryData<Listed>(t.url, listQuery, {}, made.secret);
    // Newest first.
    expect(mine.conversations.edges.map((edge) => edge.node.id)).toEqual([...conversationIds].reverse());
    expect(mine.conversations.edges.map((edge) => edge.node.title)).toEqual([
      'Second question, streamed',
      'First question through the openai client',
    ]);
    expect(mine.conversations.edges[1]!.node.messages).toEqual([
      { role: 'USER', content: [{ text: 'First question through the openai client' }] },
      { role: 'ASSISTANT', content: [{ text: 'First question through the openai client' }] },
    ]);
    const theirs = await queryData<Listed>(t.url, listQuery, {}, other.secret);
    expect(theirs.conversations.edges).toEqual([]);

    const usageQuery =
      '{ usage { totals { requests errors promptTokens completionTokens totalTokensCost } buckets { keyId } } }';
    type UsageResult = {
      usage: {
        totals: {
          requests: number;
          errors: number;
          promptTokens: number;
          completionTokens: number;
          totalTokensCost: string;
        };
      };
    };
    const { usage } = await queryData<UsageResult>(t.url, usageQuery, {}, made.secret);
    expect(usage.totals).toMatchObject({
      requests: 2,
      errors: 0,
      promptTokens: usages[0]!.prompt_tokens + usages[1]!.prompt_tokens,
      completionTokens: usages[0]!.completion_tokens + usages[1]!.completion_tokens,
    });
    const cost = (usages as unknown as { cost: number }[]).reduce((sum, one) => sum + one.cost, 0);
    expect(Number(usage.totals.totalTokensCost)).toBeCloseTo(cost, 12);
    expect(cost).toBeGreaterThan(0);

    const bystander = await queryData<UsageResult>(t.url, usageQuery, {}, other.secret);
    expect(bystander.usage.totals).toMatchObject({ requests: 0, promptTokens: 0, totalTokensCost: '0' });
  });

  it('ends a stream that fails upstream after its first token with an in-band error and no [DONE], keeping the partial answer', async () => {
    const client = clientFor(adminKey);
    for (const [reply, what] of [
      [
        openaiChat.streamError(['Hello', ' wor'], { message: 'the model crashed', type: 'server_error' }),
        'error event',
      ],
      [
        {
          ...openaiChat.stream(['Hello', ' wor'], { finishReason: null, usage: null, done: false }),
          end: 'destroy' as const,
        },
        'cut connection',
      ],
    ] as const) {
      acme.reply(reply);
      const { data: stream, response } = await client.chat.completions
        .create({
          model: 'acme/flaky-1',
          messages: ask(`Say hello (${what})`),
          stream: true,
          max_retries: 0,
        } as OpenAI.ChatCompletionCreateParamsStreaming)
        .withResponse();
      expect(response.status).toBe(200);
      let text = '';
      let finishReason: string | null | undefined;
      const failure = await (async () => {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
        }
      })().catch((caught: unknown) => caught);
      // The client raises the in-band error: a cut answer is never taken for a whole one.
      expect(failure, what).toBeInstanceOf(APIError);
      expect(text).toBe('Hello wor');
      expect(finishReason).toBeUndefined();
      expect((failure as APIError).code).toBe('upstream_failed');

      const conversationId = response.headers.get('x-switchyard-conversation-id')!;
      const { conversation } = await queryData<{
        conversation: { messages: { role: string; complete: boolean; content: { text: string }[] }[] };
      }>(t.url, 'query($id: ID!) { conversation(id: $id) { messages { role complete content { text } } } }', {
        id: conversationId,
      });
      expect(conversation.messages.at(-1)).toEqual({
        role: 'ASSISTANT',
        complete: false,
        content: [{ text: 'Hello wor' }],
      });
    }
  });

  it('shows the in-band error on the wire as the last event, with no [DONE] after it', async () => {
    acme.reply(openaiChat.streamError(['Partial'], { message: 'the model crashed', type: 'server_error' }));
    const response = await t.post('/v1/chat/completions', {
      model: 'acme/flaky-1',
      messages: ask('Say something'),
      stream: true,
      max_retries: 0,
    });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).not.toContain('[DONE]');
    const events = body.split('\n\n').filter((block) => block.startsWith('data: '));
    const last = JSON.parse(events.at(-1)!.slice('data: '.length));
    expect(last).toEqual({
      error: expect.objectContaining({ type: 'server_error', code: 'upstream_failed' }),
    });
  });

  it('raises RateLimitError with the shortest Retry-After when every candidate is rate limited upstream', async () => {
    // Each waits longer than routing.maxRetryAfterMs (30 s): the router moves on at once.
    acme.replyByDefault((request) => {
      const model = (request.body as { model: string }).model;
      return openaiChat.error(
        429,
        { message: `${model} is busy`, type: 'requests', code: 'rate_limit_exceeded' },
        { 'retry-after': model === 'busy-1' ? '120' : '90' },
      );
    });
    for (const stream of [false, true]) {
      acme.reset();
      const error = await clientFor(adminKey)
        .chat.completions.create({
          model: 'acme/busy-1',
          messages: ask('Anyone free?'),
          stream,
          fallback_models: ['acme/busy-2'],
        } as OpenAI.ChatCompletionCreateParamsNonStreaming)
        .catch((caught: unknown) => caught);
      expect(error, `stream: ${stream}`).toBeInstanceOf(RateLimitError);
      const rateLimited = error as RateLimitError;
      expect(rateLimited.status).toBe(429);
      expect(rateLimited.code).toBe('rate_limit_exceeded');
      expect(rateLimited.headers?.get('retry-after')).toBe('90');
      expect(acme.received.map((request) => (request.body as { model: string }).model)).toEqual([
        'busy-1',
        'busy-2',
      ]);
      expect((rateLimited.error as { attempts: { model: string; errorKind: string }[] }).attempts).toEqual([
        expect.objectContaining({ model: 'busy-1', errorKind: 'rate_limited' }),
        expect.objectContaining({ model: 'busy-2', errorKind: 'rate_limited' }),
      ]);
    }
  });
});
