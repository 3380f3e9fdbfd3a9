import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

const allowed = 'https://app.example.com';
const refused = 'https://evil.example.net';

/** What a browser sends before a cross-origin POST with a key and a JSON body. */
const preflight = (url: string, origin: string, headers = 'authorization, content-type') =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': headers,
    },
  });

/** The cross-origin POST itself, as a browser sends it (with its Origin header). */
const post = (url: string, origin: string, body: unknown, key: string | null = adminKey) =>
  fetch(url, {
    method: 'POST',
    headers: {
      origin,
      'content-type': 'application/json',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify(body),
  });

const echo = { model: 'local/echo', messages: [{ role: 'user', content: 'from a browser' }] };

describe.each(drivers)('CORS for browser clients on %s', (driver) => {
  let t: TestApp;
  let open: TestApp;
  let closed: TestApp;
  beforeAll(async () => {
    [t, open, closed] = await Promise.all([
      startTestApp({ driver, configFile: { cors: { origins: [allowed, 'http://localhost:5173'] } } }),
      startTestApp({ driver, configFile: { cors: { origins: ['*'] } } }),
      startTestApp({ driver }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([t.close(), open.close(), closed.close()]);
  });

  it('answers a preflight from an allowed origin with 204 and no key, echoing the headers the SDKs send', async () => {
    const sdkHeaders =
      'authorization, content-type, x-stainless-os, x-stainless-retry-count, openai-beta, anthropic-version, x-api-key';
    for (const path of [
      '/v1/chat/completions',
      '/v1/embeddings',
      '/v1/messages',
      '/graphql',
      '/api/v1/completions',
    ]) {
      const response = await preflight(`${t.url}${path}`, allowed, sdkHeaders);
      expect(response.status, path).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(response.headers.get('vary')).toMatch(/origin/i);
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      expect(response.headers.get('access-control-allow-headers')).toBe(sdkHeaders);
      expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    }
    // A header no client of ours sends is not allowed, so the browser refuses it.
    const odd = await preflight(`${t.url}/v1/chat/completions`, allowed, 'authorization, x-made-up');
    expect(odd.status).toBe(204);
    expect(odd.headers.get('access-control-allow-headers')).toBe('authorization');
  });

  it('lets a browser read an answer from an allowed origin: its headers, and its errors too', async () => {
    const response = await post(`${t.url}/v1/chat/completions`, allowed, echo);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(response.headers.get('vary')).toMatch(/origin/i);
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').split(/,\s*/);
    for (const name of [
      'x-request-id',
      'x-ratelimit-remaining-requests',
      'x-ratelimit-limit',
      'retry-after',
      'x-switchyard-conversation-id',
      'x-switchyard-dropped-parameters',
    ])
      expect(exposed).toContain(name);
    expect(response.headers.get('x-switchyard-conversation-id')).toBeTruthy();
    expect((await response.json()).choices[0].message.content).toBe('from a browser');

    // GraphQL is served the same way: Yoga's own CORS is off, so it cannot echo any origin.
    const graphql = await post(`${t.url}/graphql`, allowed, { query: '{ __typename }' });
    expect(graphql.status).toBe(200);
    expect(graphql.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(graphql.headers.get('access-control-allow-credentials')).toBeNull();

    const streamed = await post(`${t.url}/api/v1/completions`, allowed, {
      models: ['local/echo'],
      messages: [{ role: 'user', content: 'streamed to a browser' }],
      stream: true,
    });
    expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(streamed.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(await streamed.text()).toContain('"type":"done"');

    const unauthenticated = await post(`${t.url}/v1/chat/completions`, 'http://localhost:5173', echo, null);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('gives a refused origin no CORS headers: its preflight is answered 403, its requests without them', async () => {
    const response = await preflight(`${t.url}/v1/chat/completions`, refused);
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-headers')).toBeNull();
    expect(await response.text()).toContain('cors.origins');

    const served = await post(`${t.url}/v1/chat/completions`, refused, echo);
    expect(served.status).toBe(200);
    expect(served.headers.get('access-control-allow-origin')).toBeNull();
    expect(served.headers.get('access-control-expose-headers')).toBeNull();
    const graphql = await post(`${t.url}/graphql`, refused, { query: '{ __typename }' });
    expect(graphql.status).toBe(200);
    expect(graphql.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("allows every origin only when the config says '*', and none by default", async () => {
    const anyPreflight = await preflight(`${open.url}/v1/embeddings`, refused);
    expect(anyPreflight.status).toBe(204);
    expect(anyPreflight.headers.get('access-control-allow-origin')).toBe('*');
    const anyPost = await post(`${open.url}/v1/chat/completions`, refused, echo);
    expect(anyPost.headers.get('access-control-allow-origin')).toBe('*');

    // Without cors.origins the preflight is just an unauthenticated request, with no CORS headers.
    const none = await preflight(`${closed.url}/v1/chat/completions`, allowed);
    expect(none.status).toBe(401);
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
    const plain = await post(`${closed.url}/v1/chat/completions`, allowed, echo);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
    const graphql = await post(`${closed.url}/graphql`, allowed, { query: '{ __typename }' });
    expect(graphql.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses, at boot, an entry of cors.origins that is not an origin', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'switchyard-cors-'));
    const path = join(cwd, 'switchyard.config.json');
    writeFileSync(
      path,
      JSON.stringify({ cors: { origins: ['https://app.example.com/', 'app.example.com'] } }),
    );
    let problems: string[] = [];
    try {
      loadConfig({ SWITCHYARD_CONFIG: path }, cwd);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/cors\.origins\W+0\W.*must be "\*" or an origin/);
    expect(problems[1]).toMatch(/cors\.origins\W+1\W.*must be "\*" or an origin/);
  });
});
