import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ensureDashboardBuilt } from './dashboard-build.js';

describe('the dashboard served by the gateway', () => {
  let t: TestApp;
  beforeAll(async () => {
    ensureDashboardBuilt();
    t = await startTestApp({ driver: 'pglite' });
  });
  afterAll(() => t?.close());

  it('redirects / and /ui to /ui/', async () => {
    for (const path of ['/', '/ui']) {
      const response = await fetch(`${t.url}${path}`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/ui/');
    }
  });

  it('serves index.html without a key, never cached, with a strict content security policy', async () => {
    const response = await fetch(`${t.url}/ui/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await response.text()).toContain('<div id="app"></div>');
  });

  it('answers client routes with index.html, and a missing file with 404', async () => {
    const route = await fetch(`${t.url}/ui/conversations/5b0e3f9e-0000-4000-8000-000000000000`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="app"></div>');
    const missing = await fetch(`${t.url}/ui/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
  });

  it('serves hashed assets with their content type, cached for good', async () => {
    const html = await (await fetch(`${t.url}/ui/`)).text();
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/ui\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    expect(script && style).toBeTruthy();
    const js = await fetch(`${t.url}${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const css = await fetch(`${t.url}${style}`, { method: 'HEAD' });
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(Number(css.headers.get('content-length'))).toBeGreaterThan(0);
  });

  it('refuses paths that climb out of the build, and methods other than GET and HEAD', async () => {
    const climbing = await fetch(`${t.url}/ui/%2e%2e/%2e%2e/package.json`);
    expect([400, 404]).toContain(climbing.status);
    expect(await climbing.text()).not.toContain('"name"');
    const post = await fetch(`${t.url}/ui/`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('still requires a key for the API the pages call', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(response.status).toBe(401);
  });
});
