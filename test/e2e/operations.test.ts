import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, startTestApp, type TestApp } from '../support/test-app.js';

describe('operations endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ driver: 'pglite' });
  });
  afterAll(() => t.close());

  it('serves /healthz and /readyz without a key', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves GraphQL to a key and 401 UNAUTHENTICATED without one', async () => {
    const ok = await t.post('/graphql', { query: '{ health }' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { health: 'ok' } });
    const denied = await t.post('/graphql', { query: '{ health }' }, null);
    expect(denied.status).toBe(401);
    expect((await denied.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('serves GraphiQL to a browser with its assets inlined, not from a CDN', async () => {
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    expect(html).not.toMatch(/<script[^>]+src="https?:\/\//);
  });

  it('answers unknown routes with a JSON 404 and tags responses with a request id', async () => {
    const response = await fetch(`${t.url}/nope`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(response.status).toBe(404);
    expect((await response.json()).error.code).toBe('not_found');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ driver: 'pglite' });
  });
  afterAll(() => t.close());

  it('counts completions, attempts and tokens at /metrics without a key', async () => {
    const ok = await t.post('/api/v1/completions', {
      messages: [{ role: 'user', content: 'count me' }],
      models: ['local/echo'],
    });
    expect(ok.status).toBe(200);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain(
      'switchyard_completions_total{provider="local",model="echo",status="succeeded"} 1',
    );
    expect(metrics).toContain(
      'switchyard_upstream_attempts_total{provider="local",model="echo",outcome="succeeded",error_kind="none"} 1',
    );
    expect(metrics).toMatch(/switchyard_tokens_total\{provider="local",model="echo",kind="completion"\} 2/);
    expect(metrics).toContain('switchyard_http_requests_total{route="/api/v1/completions",status="200"} 1');
    expect(metrics).toContain('switchyard_record_queue_depth');
  });
});
