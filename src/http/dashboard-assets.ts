import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// The dashboard's built files (`npm install` builds them: scripts/build-dashboard.mjs). From
// src/http/ and from dist/http/ alike, two folders up is the repository.
const defaultRoot = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

// The pages call the API on this origin only; conversation images may be https or data URLs.
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** `/` (which redirects) and everything under `/ui/`. */
export const isDashboardPath = (path: string): boolean =>
  path === '/' || path === '/ui' || path.startsWith('/ui/');

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Switchyard</title>
<p>The dashboard is not built. Run <code>npm run build:dashboard</code> (or <code>npm install</code>) and reload.</p>`;

async function fileAt(path: string) {
  try {
    const found = await stat(path);
    return found.isFile() ? found : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the dashboard: no key is needed for its files (its API calls need one). A path that
 * names no file and has no extension is a client route, answered with index.html. Hashed
 * files under assets/ are cached for good; index.html is revalidated every time.
 */
export async function serveDashboard(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  root: string = defaultRoot,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    return void res.end('method not allowed\n');
  }
  if (path === '/' || path === '/ui') {
    res.writeHead(302, { location: '/ui/', 'cache-control': 'no-cache' });
    return void res.end();
  }
  let relative: string;
  try {
    relative = decodeURIComponent(path.slice('/ui/'.length));
  } catch {
    relative = '\0';
  }
  const resolved = normalize(join(root, relative));
  const inside = resolved === root || resolved.startsWith(root.endsWith(sep) ? root : root + sep);
  if (relative.includes('\0') || !inside) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    return void res.end('bad path\n');
  }

  let file = relative === '' ? undefined : await fileAt(resolved);
  let filePath = resolved;
  if (!file) {
    if (extname(relative) !== '') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
      return void res.end('not found\n');
    }
    filePath = join(root, 'index.html');
    file = await fileAt(filePath);
    if (!file) {
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(notBuilt);
    }
  }

  const immutable = filePath.startsWith(join(root, 'assets') + sep);
  res.writeHead(200, {
    'content-type': contentTypes[extname(filePath)] ?? 'application/octet-stream',
    'content-length': file.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'last-modified': file.mtime.toUTCString(),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(filePath.endsWith('.html') ? { 'content-security-policy': contentSecurityPolicy } : {}),
  });
  if (req.method === 'HEAD') return void res.end();
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(filePath);
    stream.once('error', reject);
    res.once('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}
