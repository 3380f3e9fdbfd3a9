import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SearchUpstream, startSearchUpstream } from '../support/search-upstream.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';

describe('OpenAI-compatible surface with web search', () => {
  let searxng: SearchUpstream;
  let t: TestApp;
  let client: OpenAI;
  beforeAll(async () => {
    searxng = await startSearchUpstream('searxng');
    searxng.results = [
      { url: 'https://example.com/a', title: 'Source A', snippet: 'first' },
      { url: 'https://example.org/b', title: 'Source B', snippet: 'second' },
    ];
    t = await startTestApp({
      driver: 'pglite',
      configFile: {
        search: {
          backend: { kind: 'searxng', baseURL: `${searxng.url}/`, results: 2, pricePerSearch: 0.01 },
        },
      },
    });
    client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: adminKey });
  });
  afterAll(async () => {
    await t.close();
    await searxng.close();
  });

  // local/echo repeats the question, so the answer cites exactly what the question cites.
  const question = 'Compare [2] with [1], then [2] again and [9].';

  it('returns url_citation annotations at the positions of the [n] markers, and the search cost', async () => {
    const completion = await client.chat.completions.create({
      model: 'local/echo',
      messages: [{ role: 'user', content: question }],
      web_search_options: {},
    });
    const message = completion.choices[0]!.message;
    expect(message.content).toBe(question);
    expect(message.annotations).toEqual([
      {
        type: 'url_citation',
        url_citation: { start_index: 8, end_index: 11, url: 'https://example.org/b', title: 'Source B' },
      },
      {
        type: 'url_citation',
        url_citation: { start_index: 17, end_index: 20, url: 'https://example.com/a', title: 'Source A' },
      },
      {
        type: 'url_citation',
        url_citation: { start_index: 27, end_index: 30, url: 'https://example.org/b', title: 'Source B' },
      },
    ]);
    const extension = (
      completion as unknown as { switchyard: { citations: unknown[]; costs: { search_cost: number } } }
    ).switchyard;
    expect(extension.citations).toHaveLength(2);
    expect(extension.costs.search_cost).toBe(0.01);
  });

  it('puts the annotations on the last chunk of a stream', async () => {
    const stream = await client.chat.completions.create({
      model: 'local/echo',
      messages: [{ role: 'user', content: question }],
      web_search_options: {},
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    expect(last.choices[0]!.finish_reason).toBe('stop');
    const delta = last.choices[0]!.delta as { annotations?: unknown[] };
    expect(delta.annotations).toHaveLength(3);
    for (const chunk of chunks.slice(0, -1)) expect(JSON.stringify(chunk)).not.toContain('annotations');
  });
});
