import { asc, eq } from 'drizzle-orm';
import OpenAI, { BadRequestError, NotFoundError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completions, conversations, messages } from '../../src/db/schema.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';
import { openaiChat } from '../upstreams/openai-chat.js';
import { openaiResponses } from '../upstreams/openai-responses.js';
import { startUpstream, type Upstream } from '../upstreams/scripted-upstream.js';

type Body = { messages: Record<string, unknown>[]; [field: string]: unknown };

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The current weather in a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

describe.each(drivers)('OpenAI Responses /v1/responses with the official openai client on %s', (driver) => {
  let t: TestApp;
  let upstream: Upstream;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startUpstream();
    t = await startTestApp({
      driver,
      env: { OPENAI_API_KEY: 'sk-openai-test-key', OPENAI_BASE_URL: `${upstream.url}/v1` },
      configFile: { models: [{ id: 'openai/gpt-4o', inputPricePerMTok: 2.5, outputPricePerMTok: 10 }] },
    });
    client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: adminKey, maxRetries: 0 });
  });
  beforeEach(() => upstream.reset());
  afterAll(async () => {
    await t.close();
    await upstream.close();
  });

  const sent = (index: number) => upstream.received[index]!.body as Body;
  const storedTurns = async (conversationId: string) => {
    await t.settled();
    return t.db.database.db
      .select({
        id: messages.id,
        role: messages.role,
        content: messages.content,
        toolCallId: messages.toolCallId,
      })
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(asc(messages.seq));
  };
  const conversationOf = (response: unknown) =>
    (response as { switchyard: { conversation_id: string } }).switchyard.conversation_id;

  it('answers responses.create with a response object: output message, usage, settings; instructions are not stored', async () => {
    upstream.reply(
      openaiChat.stream(['Routing ', 'picks a model.'], {
        usage: { prompt_tokens: 20, completion_tokens: 5 },
      }),
    );
    const { data: response, response: http } = await client.responses
      .create({
        model: 'openai/gpt-4o',
        instructions: 'Be terse.',
        input: 'Explain LLM routing.',
        temperature: 0.3,
        max_output_tokens: 100,
        metadata: { ticket: 'T-1' },
      })
      .withResponse();

    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'openai/gpt-4o',
      error: null,
      incomplete_details: null,
      instructions: 'Be terse.',
      temperature: 0.3,
      max_output_tokens: 100,
      metadata: { ticket: 'T-1' },
      store: true,
      previous_response_id: null,
      tools: [],
      tool_choice: 'auto',
      text: { format: { type: 'text' } },
      output: [
        {
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Routing picks a model.', annotations: [] }],
        },
      ],
      usage: {
        input_tokens: 20,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 25,
      },
    });
    expect(response.output_text).toBe('Routing picks a model.');
    const messageId = response.id.replace(/^resp_/, '');
    expect(response.output[0]!.id).toBe(`msg_${messageId}`);
    const extension = (response as unknown as { switchyard: Record<string, unknown> }).switchyard;
    expect(extension).toMatchObject({
      provider: 'openai',
      response_message_id: messageId,
      finish_reason: 'stop',
    });
    expect(http.headers.get('x-switchyard-conversation-id')).toBe(extension.conversation_id);

    // The instructions lead what the model was sent, and are not a stored turn.
    expect(sent(0).messages).toEqual([
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Explain LLM routing.' },
    ]);
    expect(sent(0)).toMatchObject({ model: 'gpt-4o', temperature: 0.3 });
    const turns = await storedTurns(conversationOf(response));
    expect(turns.map((turn) => turn.role)).toEqual(['user', 'assistant']);
    expect(turns[1]!.id).toBe(messageId);
  });

  it('streams the Responses events in order with sequence numbers, ending with response.completed', async () => {
    // Apart, so that each piece is its own delta.
    upstream.reply({ ...openaiChat.stream(['Hel', 'lo']), chunkDelayMs: 20 });
    const stream = await client.responses.create({
      model: 'openai/gpt-4o',
      input: 'Say hello.',
      stream: true,
    });
    const events: { type: string; sequence_number: number; [field: string]: unknown }[] = [];
    for await (const event of stream) events.push(event as never);

    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const [created] = events;
    const completed = events.at(-1) as unknown as { response: OpenAI.Responses.Response };
    expect(created).toMatchObject({ response: { status: 'in_progress', output: [] } });
    expect((created as unknown as { response: { id: string } }).response.id).toBe(completed.response.id);
    expect(
      events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta),
    ).toEqual(['Hel', 'lo']);
    expect(events[6]).toMatchObject({ text: 'Hello', output_index: 0, content_index: 0 });
    expect(completed.response).toMatchObject({
      status: 'completed',
      output: [{ type: 'message', content: [{ type: 'output_text', text: 'Hello' }] }],
      usage: { input_tokens: 12, output_tokens: 2, total_tokens: 14 },
    });
    const turns = await storedTurns(conversationOf(completed.response));
    expect(turns[1]!.content).toEqual([{ type: 'text', text: 'Hello' }]);
  });

  it('runs a tool loop with previous_response_id: a streamed function_call, then its output, then the answer', async () => {
    upstream.reply(
      {
        ...openaiChat.toolCallStream([
          { id: 'call_1', name: 'get_weather', arguments: ['{"city":', '"Oslo"}'] },
        ]),
        chunkDelayMs: 20,
      },
      openaiChat.stream(['It is 3 °C in Oslo.']),
    );
    const stream = client.responses.stream({
      model: 'openai/gpt-4o',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather in Oslo?' }] }],
      tools: [weatherTool],
    });
    const argumentDeltas: string[] = [];
    stream.on('response.function_call_arguments.delta', (event) => argumentDeltas.push(event.delta));
    const first = await stream.finalResponse();
    expect(argumentDeltas).toEqual(['{"city":', '"Oslo"}']);
    expect(first.output).toMatchObject([
      {
        type: 'function_call',
        id: `fc_${first.id.replace(/^resp_/, '')}`,
        call_id: 'call_1',
        name: 'get_weather',
        arguments: '{"city":"Oslo"}',
        status: 'completed',
      },
    ]);
    expect(first.tools).toEqual([weatherTool]);
    expect(sent(0).tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'The current weather in a city',
          parameters: weatherTool.parameters,
          strict: true,
        },
      },
    ]);

    const second = await client.responses.create({
      model: 'openai/gpt-4o',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: 'call_1', output: '{"celsius":3}' }],
      tools: [weatherTool],
    });
    expect(second.output_text).toBe('It is 3 °C in Oslo.');
    expect(second.previous_response_id).toBe(first.id);
    expect(conversationOf(second)).toBe(conversationOf(first));
    expect(sent(1).messages).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"celsius":3}' },
    ]);
    const turns = await storedTurns(conversationOf(second));
    expect(turns.map(({ role, toolCallId }) => [role, toolCallId])).toEqual([
      ['user', null],
      ['assistant', null],
      ['tool', 'call_1'],
      ['assistant', null],
    ]);

    // The chain does not branch: the first response has been continued already.
    await expect(
      client.responses.create({ model: 'openai/gpt-4o', previous_response_id: first.id, input: 'Again?' }),
    ).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
  });

  it('streams reasoning as a reasoning item with summary events, and takes the output back as input', async () => {
    upstream.reply(
      { ...openaiChat.reasoningStream(['Think', 'ing.'], ['Answer.']), chunkDelayMs: 10 },
      openaiChat.stream(['Second answer.']),
    );
    const stream = await client.responses.create({
      model: 'openai/gpt-4o',
      input: 'Think first.',
      stream: true,
    });
    const events: { type: string; [field: string]: unknown }[] = [];
    for await (const event of stream) events.push(event as never);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const { response } = events.at(-1) as unknown as { response: OpenAI.Responses.Response };
    const messageId = response.id.replace(/^resp_/, '');
    expect(response.output).toEqual([
      { type: 'reasoning', id: `rs_${messageId}`, summary: [{ type: 'summary_text', text: 'Thinking.' }] },
      {
        type: 'message',
        id: `msg_${messageId}`,
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Answer.', annotations: [], logprobs: [] }],
      },
    ]);
    expect(events[8]).toMatchObject({ output_index: 0, item: response.output[0] });

    // Stateless continuation, as openai-node's docs show it: the output items go back as input.
    const next = await client.responses.create({
      model: 'openai/gpt-4o',
      input: [
        { role: 'user', content: 'Think first.' },
        ...(response.output as OpenAI.Responses.ResponseInputItem[]),
        { role: 'user', content: 'And now?' },
      ],
    });
    expect(next.output_text).toBe('Second answer.');
    expect(sent(1).messages.map((message) => [message.role, message.content])).toEqual([
      ['user', 'Think first.'],
      ['assistant', 'Answer.'],
      ['user', 'And now?'],
    ]);
    expect(conversationOf(next)).not.toBe(conversationOf(response));
  });

  it('reports an answer cut by its length limit as incomplete, streaming or not', async () => {
    upstream.reply(
      openaiChat.stream(['Cut'], { finishReason: 'length' }),
      openaiChat.stream(['Cut'], { finishReason: 'length' }),
    );
    const response = await client.responses.create({
      model: 'openai/gpt-4o',
      input: 'Long story.',
      max_output_tokens: 1,
    });
    expect(response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      max_output_tokens: 1,
    });
    expect(response.output_text).toBe('Cut');
    expect(sent(0).max_completion_tokens ?? sent(0).max_tokens).toBe(1);

    const stream = await client.responses.create({
      model: 'openai/gpt-4o',
      input: 'Long story.',
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('response.incomplete');
  });

  it('asks for structured output with text.format json_schema and repeats the format', async () => {
    upstream.reply(openaiChat.stream(['{"city":"Oslo",', '"celsius":3}']));
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, celsius: { type: 'number' } },
      required: ['city', 'celsius'],
      additionalProperties: false,
    };
    const response = await client.responses.create({
      model: 'openai/gpt-4o',
      input: 'Weather in Oslo as JSON.',
      text: { format: { type: 'json_schema', name: 'weather', schema, strict: true } },
    });
    expect(JSON.parse(response.output_text)).toEqual({ city: 'Oslo', celsius: 3 });
    expect(response.text?.format).toEqual({ type: 'json_schema', name: 'weather', schema, strict: true });
    expect(sent(0).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'weather', schema, strict: true },
    });
  });

  it('retrieves a stored response; an unknown one or another key’s is 404', async () => {
    upstream.reply(
      openaiChat.stream(['Stored answer.'], { usage: { prompt_tokens: 9, completion_tokens: 3 } }),
    );
    const created = await client.responses.create({ model: 'openai/gpt-4o', input: 'Store this.' });
    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved).toMatchObject({
      id: created.id,
      object: 'response',
      status: 'completed',
      model: 'openai/gpt-4o',
      created_at: created.created_at,
      output: created.output,
      usage: created.usage,
    });
    expect(retrieved.output_text).toBe('Stored answer.');

    await expect(
      client.responses.retrieve('resp_00000000-0000-4000-8000-000000000000'),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.responses.retrieve('resp_nonsense')).rejects.toBeInstanceOf(NotFoundError);
    const other = await t.app.apiKeys.create('another key', ['user']);
    const stranger = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: other.secret, maxRetries: 0 });
    await expect(stranger.responses.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      stranger.responses.create({ model: 'openai/gpt-4o', previous_response_id: created.id, input: 'Mine?' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(upstream.received).toHaveLength(1);
  });

  it('keeps nothing but the usage record with store: false', async () => {
    upstream.reply(openaiChat.stream(['Ephemeral.'], { usage: { prompt_tokens: 7, completion_tokens: 2 } }));
    await t.settled();
    const { db } = t.db.database;
    const before = {
      conversations: (await db.select().from(conversations)).length,
      messages: (await db.select().from(messages)).length,
    };
    const { data: response, response: http } = await client.responses
      .create({ model: 'openai/gpt-4o', input: 'Do not keep this.', store: false })
      .withResponse();
    expect(response).toMatchObject({ status: 'completed', store: false });
    expect(response.output_text).toBe('Ephemeral.');
    expect(
      (response as unknown as { switchyard: Record<string, unknown> }).switchyard.conversation_id,
    ).toBeUndefined();
    expect(http.headers.get('x-switchyard-conversation-id')).toBeNull();

    await t.settled();
    expect((await db.select().from(conversations)).length).toBe(before.conversations);
    expect((await db.select().from(messages)).length).toBe(before.messages);
    const messageId = response.id.replace(/^resp_/, '');
    const [row] = await db.select().from(completions).where(eq(completions.responseMessageId, messageId));
    expect(row).toMatchObject({
      status: 'succeeded',
      conversationId: null,
      promptTokens: 7,
      completionTokens: 2,
    });
    await expect(client.responses.retrieve(response.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses built-in tools other than web search, unknown fields and truncation "auto", naming the field', async () => {
    const refused = [
      [{ tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] }, 'tools.0.type'],
      [{ truncation: 'auto' }, 'truncation'],
      [{ frobnicate: true }, 'frobnicate'],
      [{ input: [{ type: 'computer_call_output', call_id: 'c', output: {} }] }, 'input.0.type'],
    ] as const;
    for (const [extra, param] of refused) {
      const attempt = client.responses.create({
        model: 'openai/gpt-4o',
        input: 'Hi',
        ...(extra as Record<string, unknown>),
      } as never);
      await expect(attempt).rejects.toBeInstanceOf(BadRequestError);
      await expect(attempt).rejects.toMatchObject({ status: 400, param });
    }
    expect(upstream.received).toHaveLength(0);
  });

  it('answers a web_search tool with the provider’s own search, its sources as url_citation annotations', async () => {
    const citations = [{ url: 'https://example.com/news', title: 'News' }];
    upstream.reply(
      openaiResponses.stream(['Fresh ', 'news.'], { searchQuery: 'news', citations }),
      openaiResponses.stream(['Fresh ', 'news.'], { searchQuery: 'news', citations }),
    );
    const response = await client.responses.create({
      model: 'openai/gpt-4o',
      input: 'News?',
      tools: [{ type: 'web_search' }],
    });
    expect(response.output_text).toBe('Fresh news.');
    expect(response.tools).toEqual([{ type: 'web_search' }]);
    const annotation = { type: 'url_citation', start_index: 0, end_index: 11, ...citations[0] };
    expect(response.output).toMatchObject([{ type: 'message', content: [{ annotations: [annotation] }] }]);
    // OpenAI's own search runs through its Responses API, with its search tool.
    expect(upstream.received[0]!.path).toBe('/v1/responses');
    expect(JSON.stringify(sent(0).tools)).toContain('web_search');

    const stream = await client.responses.create({
      model: 'openai/gpt-4o',
      input: 'News?',
      tools: [{ type: 'web_search_preview' }],
      stream: true,
    });
    const events: { type: string; [field: string]: unknown }[] = [];
    for await (const event of stream) events.push(event as never);
    expect(events.find((event) => event.type === 'response.output_text.annotation.added')).toMatchObject({
      annotation_index: 0,
      annotation,
    });
  });

  it('refuses an item_reference to nothing stored', async () => {
    await expect(
      client.responses.create({
        model: 'openai/gpt-4o',
        input: [
          { role: 'user', content: 'Hi' },
          { type: 'item_reference', id: 'msg_00000000-0000-4000-8000-000000000000' },
        ],
      }),
    ).rejects.toMatchObject({ status: 404, param: 'input.1.id' });
    expect(upstream.received).toHaveLength(0);
  });

  it('fails before the stream opens as a plain OpenAI error, and after it with response.failed', async () => {
    upstream.reply(openaiChat.error(400, { message: 'bad tool schema', type: 'invalid_request_error' }));
    await expect(
      client.responses.create({ model: 'openai/gpt-4o', input: 'Hi', stream: true, max_retries: 0 } as never),
    ).rejects.toMatchObject({ status: 400, code: 'upstream_rejected' });

    upstream.reset();
    upstream.reply(openaiChat.streamError(['Half an '], { message: 'overloaded', type: 'server_error' }));
    const stream = await client.responses.create({
      model: 'openai/gpt-4o',
      input: 'Hi',
      stream: true,
      ...({ max_retries: 0 } as object),
    });
    const events: { type: string; [field: string]: unknown }[] = [];
    for await (const event of stream) events.push(event as never);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.failed',
    ]);
    expect(events.at(-1)).toMatchObject({
      response: {
        status: 'failed',
        error: { code: 'upstream_failed' },
        output: [
          { type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'Half an ' }] },
        ],
      },
    });
  });
});
