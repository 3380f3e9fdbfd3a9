import Anthropic, { AuthenticationError, BadRequestError, NotFoundError } from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';

/** GET /v1/models for Anthropic's client: its shape, its paging, its errors; OpenAI's client is unaffected. */
describe('the model listing for Anthropic clients', () => {
  let t: TestApp;
  let client: Anthropic;
  let openai: OpenAI;

  beforeAll(async () => {
    t = await startTestApp({
      driver: 'pglite',
      env: {
        OPENAI_API_KEY: 'sk-openai-test',
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        ANTHROPIC_API_KEY: 'sk-ant-test',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/v1',
      },
      configFile: {
        models: [
          { id: 'anthropic/claude-sonnet-4-5', contextWindow: 200_000, maxOutputTokens: 64_000 },
          { id: 'acme/embed-1', kind: 'embedding', contextWindow: 512 },
        ],
        groups: { duo: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4o'] },
      },
    });
    client = new Anthropic({ baseURL: t.url, apiKey: adminKey, maxRetries: 0 });
    openai = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: adminKey, maxRetries: 0 });
  });
  afterAll(() => t?.close());

  it('lists the chat models and groups in pages, the same models OpenAI clients see but embeddings', async () => {
    const listed: Anthropic.ModelInfo[] = [];
    let pages = 0;
    for await (const page of (await client.models.list({ limit: 3 })).iterPages()) {
      pages++;
      listed.push(...page.data);
    }
    const seenByOpenAI = (await openai.models.list()).data as (OpenAI.Model & { kind: string })[];
    expect(listed.map((model) => model.id)).toEqual(
      seenByOpenAI.filter((model) => model.kind !== 'embedding').map((model) => model.id),
    );
    expect(listed.length).toBeGreaterThan(3);
    expect(pages).toBe(Math.ceil(listed.length / 3));
    expect(listed.map((model) => model.id)).toContain('group/duo');
    expect(listed.map((model) => model.id)).not.toContain('acme/embed-1');
    expect(listed.every((model) => model.type === 'model' && model.lifecycle === 'active')).toBe(true);
    // The client's own auto-paging reads the same list.
    const autoPaged: string[] = [];
    for await (const model of client.models.list({ limit: 2 })) autoPaged.push(model.id);
    expect(autoPaged).toEqual(listed.map((model) => model.id));
  });

  it('retrieves one model with what the catalog knows of it', async () => {
    const model = await client.models.retrieve('anthropic/claude-sonnet-4-5');
    expect(model).toMatchObject({
      type: 'model',
      id: 'anthropic/claude-sonnet-4-5',
      display_name: 'anthropic/claude-sonnet-4-5',
      max_input_tokens: 200_000,
      max_tokens: 64_000,
    });
    expect(Number.isNaN(Date.parse(model.created_at))).toBe(false);
  });

  it('pages backwards from before_id', async () => {
    const all = (await client.models.list({ limit: 1000 })).data.map((model) => model.id);
    const last = all.at(-1)!;
    const page = await client.models.list({ before_id: last, limit: 2 });
    expect(page.data.map((model) => model.id)).toEqual(all.slice(-3, -1));
    expect(page.has_more).toBe(all.length > 3);
  });

  it("answers errors in Anthropic's shape, which the client raises as its own errors", async () => {
    const missing = await client.models.retrieve('acme/nothing').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).message).toContain('acme/nothing');
    // An embedding model cannot be sent to /v1/messages: not a model of this listing.
    expect(await client.models.retrieve('acme/embed-1').catch((error: unknown) => error)).toBeInstanceOf(
      NotFoundError,
    );

    const badLimit = await client.models.list({ limit: 0 }).catch((error: unknown) => error);
    expect(badLimit).toBeInstanceOf(BadRequestError);
    expect((badLimit as BadRequestError).message).toContain('limit');

    const badCursor = await client.models.list({ after_id: 'acme/nothing' }).catch((error: unknown) => error);
    expect(badCursor).toBeInstanceOf(BadRequestError);
    expect((badCursor as BadRequestError).message).toContain('after_id');

    const stranger = new Anthropic({ baseURL: t.url, apiKey: 'sy-not-a-key', maxRetries: 0 });
    expect(await stranger.models.list().catch((error: unknown) => error)).toBeInstanceOf(AuthenticationError);
  });
});
