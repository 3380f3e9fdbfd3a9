import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLBody, parseSse, postGraphQL } from '../support/graphql.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

interface CodeBlock {
  lang: string;
  body: string;
}

/** The fenced code blocks of a Markdown text, in order. */
const codeBlocksOf = (markdown: string): CodeBlock[] =>
  [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((match) => ({
    lang: match[1]!,
    body: match[2]!,
  }));

/** The text of one `## ` section of the README. */
function sectionOf(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The JSON a shell example sends with `-d '…'`. */
const curlBodyOf = (command: string): string | undefined => command.match(/-d '([^']*)'/)?.[1];

/**
 * An answer as the README shows it, as JSON: `…` where fields or items are left out is
 * dropped, a `"…"` string stands for any string, and timings (which vary) for any number.
 */
function shownAnswer(text: string): unknown {
  let json = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inString) {
      json += char;
      if (char === '\\') json += text[++i] ?? '';
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
      json += char;
    } else if (char === '…') {
      // Drop the ellipsis with its comma and any words after it ("…every field of…").
      json = json.replace(/,\s*$/, '');
      while (i + 1 < text.length && !'}],'.includes(text[i + 1]!)) i++;
      if (text[i + 1] === ',' && /[[{]\s*$/.test(json)) i++;
    } else json += char;
  }
  const anyWhere = (value: unknown, key?: string): unknown => {
    if (value === '…') return expect.any(String);
    if (key === 'latency' || key === 'ttft') return expect.any(Number);
    if (Array.isArray(value)) return value.map((item) => anyWhere(item));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, anyWhere(v, k)]));
    }
    return value;
  };
  return anyWhere(JSON.parse(json));
}

/** Each top-level operation of a GraphQL example block, comments removed. */
function operationsOf(block: string): string[] {
  const source = block.replace(/#[^\n"]*$/gm, '');
  const operations: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (depth === 0 && start < 0 && /[a-z{]/.test(char)) start = i;
    if (char === '{') depth++;
    if (char === '}' && --depth === 0) {
      operations.push(source.slice(start, i + 1).trim());
      start = -1;
    }
  }
  return operations;
}

const quickStart = codeBlocksOf(sectionOf('Quick start'));
/** The Quick start's curl examples on local models, each with the answer block after it. */
const restExamples = quickStart.flatMap((block, index) => {
  const body = block.lang === 'sh' ? curlBodyOf(block.body) : undefined;
  const answer = quickStart[index + 1];
  return body && block.body.includes('/api/v1/completions') && answer ? [{ body, answer: answer.body }] : [];
});
const graphqlSection = sectionOf('GraphQL');
const graphqlOperations = codeBlocksOf(graphqlSection)
  .filter((block) => block.lang === 'graphql')
  .flatMap((block) => operationsOf(block.body));

describe.each(drivers)("the README's examples are what the server answers, on %s", (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ driver });
  });
  afterAll(() => t.close());

  it('finds the examples it checks', () => {
    expect(restExamples.length).toBeGreaterThanOrEqual(2);
    expect(graphqlOperations.length).toBeGreaterThanOrEqual(8);
  });

  it('answers the Quick start completion with the fields, values and token counts shown', async () => {
    const example = restExamples.find((e) => !JSON.parse(e.body).stream);
    if (!example) throw new Error('README has no non-streaming completion example');
    const response = await t.post('/api/v1/completions', example.body);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject(shownAnswer(example.answer) as object);
  });

  it('streams the Quick start events shown, the done event with its token counts', async () => {
    const example = restExamples.find((e) => JSON.parse(e.body).stream === true);
    if (!example) throw new Error('README has no streaming completion example');
    const response = await t.post('/api/v1/completions', example.body);
    expect(response.status).toBe(200);
    const events = parseSse(await response.text()).map((event) => JSON.parse(event.data) as unknown);
    const shown = example.answer
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => shownAnswer(line.slice(6)));
    expect(events).toHaveLength(shown.length);
    for (const [index, event] of events.entries()) expect(event).toMatchObject(shown[index] as object);
  });

  it('accepts every GraphQL example of the README against the schema', async () => {
    for (const operation of graphqlOperations) {
      let errors: GraphQLBody['errors'];
      if (operation.startsWith('subscription')) {
        const response = await fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            authorization: `Bearer ${adminKey}`,
          },
          body: JSON.stringify({ query: operation }),
        });
        const nexts = parseSse(await response.text()).filter((event) => event.event === 'next');
        expect(nexts.length, operation).toBeGreaterThan(0);
        errors = nexts.flatMap((event) => (JSON.parse(event.data) as GraphQLBody).errors ?? []);
      } else {
        ({
          body: { errors },
        } = await postGraphQL(t.url, operation));
      }
      // Placeholder ids ("…") may be NOT_FOUND or BAD_USER_INPUT; the document itself must be valid.
      const invalid = (errors ?? []).filter((error) =>
        ['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED'].includes(String(error.extensions?.code)),
      );
      expect(invalid, operation).toEqual([]);
    }
  });

  it('answers the GraphQL-over-SSE curl example with next events, then complete', async () => {
    const command = graphqlSection.match(/`(curl -N [^`]*\/graphql[^`]*)`/)?.[1];
    const body = command && curlBodyOf(command);
    if (!body) throw new Error('README has no GraphQL SSE curl example');
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${adminKey}`,
      },
      body,
    });
    const events = parseSse(await response.text());
    expect(events.at(-1)?.event).toBe('complete');
    const nexts = events.slice(0, -1);
    expect(nexts.length).toBeGreaterThan(1);
    for (const event of nexts) {
      expect(event.event).toBe('next');
      expect(JSON.parse(event.data)).toMatchObject({ data: { completionStream: expect.any(Object) } });
    }
  });
});
