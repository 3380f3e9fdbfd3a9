import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWsClient, echoInput, type GraphQLBody, queryData } from '../support/graphql.js';
import { type SearchUpstream, startSearchUpstream } from '../support/search-upstream.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

const question = 'Which is the tallest building in the world in 2026?';

const servedResults = [
  { url: 'https://example.com/burj', title: 'Burj Khalifa', snippet: 'The tallest since 2010.' },
  { url: 'https://example.org/jeddah', title: 'Jeddah Tower', snippet: 'Still under construction.' },
];

const expectedCitations = [
  { index: 1, url: 'https://example.com/burj', title: 'Burj Khalifa', snippet: 'The tallest since 2010.' },
  {
    index: 2,
    url: 'https://example.org/jeddah',
    title: 'Jeddah Tower',
    snippet: 'Still under construction.',
  },
];

const groundedFields = `
  responseMessageId conversationId
  message { content { text } }
  usage { costs { inputTokensCost outputTokensCost searchCost totalTokensCost } }
  citations { index url title snippet }
  search { status query results reason }
`;

const mutation = `mutation($input: CompletionInput!) { completion(input: $input) { ${groundedFields} } }`;

interface Grounded {
  responseMessageId: string;
  conversationId: string;
  message: { content: { text: string }[] };
  usage: { costs: Record<string, string> };
  citations: typeof expectedCitations;
  search: { status: string; query: string; results: number | null; reason: string | null } | null;
}

describe.each(drivers)('GraphQL completions with web search on %s', (driver) => {
  let searxng: SearchUpstream;
  let t: TestApp;
  beforeAll(async () => {
    searxng = await startSearchUpstream('searxng');
    t = await startTestApp({
      driver,
      configFile: {
        search: {
          backend: {
            kind: 'searxng',
            baseURL: `${searxng.url}/`,
            results: 2,
            timeoutMs: 300,
            pricePerSearch: 0.005,
          },
        },
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await searxng.close();
  });
  beforeEach(() => {
    searxng.behaviour = 'ok';
    searxng.results = servedResults;
  });

  const complete = async (input: Record<string, unknown>) =>
    (await queryData<{ completion: Grounded }>(t.url, mutation, { input })).completion;

  it('answers the mutation with citations, the search report and the search cost', async () => {
    const before = searxng.received.length;
    const completion = await complete(echoInput(question, { search: true }));
    expect(searxng.received.length - before).toBe(1);
    expect(searxng.received.at(-1)!.query.get('q')).toBe(question);
    expect(completion.citations).toEqual(expectedCitations);
    expect(completion.search).toEqual({ status: 'OK', query: question, results: 2, reason: null });
    // local/echo is free: the whole bill is the search.
    expect(completion.usage.costs).toEqual({
      inputTokensCost: '0',
      outputTokensCost: '0',
      searchCost: '0.005',
      totalTokensCost: '0.005',
    });
  });

  it('reports no search and no citations for a request that did not ask for search', async () => {
    const before = searxng.received.length;
    const completion = await complete(echoInput('No search here, please.'));
    expect(searxng.received.length).toBe(before);
    expect(completion.citations).toEqual([]);
    expect(completion.search).toBeNull();
    expect(completion.usage.costs.searchCost).toBe('0');
  });

  it('reports an unavailable search with its reason, and still answers', async () => {
    searxng.behaviour = 'http-500';
    const completion = await complete(echoInput(question, { search: true }));
    expect(completion.message.content[0]!.text).toBe(question);
    expect(completion.citations).toEqual([]);
    expect(completion.search).toMatchObject({ status: 'UNAVAILABLE', query: question, results: null });
    expect(completion.search!.reason).toEqual(expect.stringContaining('500'));
  });

  it('carries citations and the search on the final chunk of completionStream over graphql-ws', async () => {
    const client = createWsClient(t.url, { authorization: `Bearer ${adminKey}` });
    const chunks: Record<string, unknown>[] = [];
    try {
      const subscription = client.iterate<{ completionStream: Record<string, unknown> }>({
        query: `subscription($input: CompletionInput!) {
          completionStream(input: $input) {
            __typename
            ... on CompletionTextChunk { text }
            ... on CompletionDoneChunk { completion { ${groundedFields} } }
            ... on CompletionErrorChunk { code message }
          }
        }`,
        variables: { input: echoInput(question, { search: true }) },
      });
      for await (const result of subscription) {
        expect((result as GraphQLBody).errors).toBeUndefined();
        chunks.push(result.data!.completionStream);
      }
    } finally {
      await client.dispose();
    }
    const done = chunks.at(-1)! as { __typename: string; completion: Grounded };
    expect(done.__typename).toBe('CompletionDoneChunk');
    expect(chunks.slice(0, -1).every((chunk) => chunk.__typename === 'CompletionTextChunk')).toBe(true);
    expect(done.completion.citations).toEqual(expectedCitations);
    expect(done.completion.search).toEqual({ status: 'OK', query: question, results: 2, reason: null });
    expect(done.completion.usage.costs.searchCost).toBe('0.005');
  });

  it('counts the search cost in usage totals and conversation totals', async () => {
    const key = await t.app.apiKeys.create('searcher', ['user']);
    const ask = (input: Record<string, unknown>) =>
      queryData<{ completion: Grounded }>(t.url, mutation, { input }, key.secret);
    const grounded = (await ask(echoInput(question, { search: true }))).completion;
    await ask(echoInput('And without search?'));
    const { usage, conversation } = await queryData<{
      usage: { totals: { requests: number; searchCost: string; totalTokensCost: string } };
      conversation: { totals: { searchCost: string; totalTokensCost: string } };
    }>(
      t.url,
      `query($id: ID!) {
        usage { totals { requests searchCost totalTokensCost } }
        conversation(id: $id) { totals { searchCost totalTokensCost } }
      }`,
      { id: grounded.conversationId },
      key.secret,
    );
    expect(usage.totals).toEqual({ requests: 2, searchCost: '0.005', totalTokensCost: '0.005' });
    expect(conversation.totals).toEqual({ searchCost: '0.005', totalTokensCost: '0.005' });
  });

  it("exposes the stored citations on the conversation's messages", async () => {
    const completion = await complete(echoInput(question, { search: true }));
    const { conversation } = await queryData<{
      conversation: { messages: { id: string; role: string; citations: typeof expectedCitations }[] };
    }>(
      t.url,
      `query($id: ID!) { conversation(id: $id) { messages { id role citations { index url title snippet } } } }`,
      { id: completion.conversationId },
    );
    expect(conversation.messages.map(({ role, citations }) => ({ role, citations }))).toEqual([
      { role: 'SYSTEM', citations: [] },
      { role: 'USER', citations: [] },
      { role: 'ASSISTANT', citations: expectedCitations },
    ]);
    expect(conversation.messages[2]!.id).toBe(completion.responseMessageId);
  });
});
