import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The wire format a local search server speaks. */
export type SearchFormat = 'searxng' | 'tavily' | 'brave';

/** How the server answers the next searches. */
export type SearchBehaviour = 'ok' | 'http-500' | 'hang' | 'not-json' | 'bad-shape';

export interface ServedResult {
  url: string;
  title: string;
  snippet: string;
}

export interface ReceivedSearch {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SearchUpstream {
  url: string;
  /** Every request received, in order. */
  received: ReceivedSearch[];
  behaviour: SearchBehaviour;
  /** What an `ok` search answers; empty means the engine found nothing. */
  results: ServedResult[];
  close(): Promise<void>;
}

const paths: Record<SearchFormat, { method: string; path: string }> = {
  searxng: { method: 'GET', path: '/search' },
  tavily: { method: 'POST', path: '/search' },
  brave: { method: 'GET', path: '/res/v1/web/search' },
};

/** The engine's real answer shape, with the fields we do not read filled in as the engine does. */
function answer(format: SearchFormat, query: string, results: ServedResult[]): unknown {
  switch (format) {
    case 'searxng':
      return {
        query,
        number_of_results: results.length,
        results: results.map((r, i) => ({
          url: r.url,
          title: r.title,
          content: r.snippet,
          engine: 'duckduckgo',
          engines: ['duckduckgo'],
          score: 1 / (i + 1),
          category: 'general',
        })),
        answers: [],
        corrections: [],
        infoboxes: [],
        suggestions: [],
        unresponsive_engines: [],
      };
    case 'tavily':
      return {
        query,
        answer: null,
        images: [],
        results: results.map((r, i) => ({
          title: r.title,
          url: r.url,
          content: r.snippet,
          score: 0.9 - i / 10,
          raw_content: null,
        })),
        response_time: 0.42,
      };
    case 'brave':
      return {
        type: 'search',
        query: { original: query },
        ...(results.length > 0
          ? {
              web: {
                type: 'search',
                results: results.map((r) => ({
                  type: 'search_result',
                  title: r.title,
                  url: r.url,
                  description: r.snippet,
                  language: 'en',
                })),
              },
            }
          : {}),
      };
  }
}

/** A local search engine speaking one real wire format, on port 0. */
export async function startSearchUpstream(format: SearchFormat): Promise<SearchUpstream> {
  const upstream: SearchUpstream = {
    url: '',
    received: [],
    behaviour: 'ok',
    results: [],
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = Buffer.concat(chunks).toString('utf8');
      upstream.received.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      });
      const expected = paths[format];
      if (req.method !== expected.method || url.pathname !== expected.path) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      const query =
        format === 'tavily'
          ? String((JSON.parse(body) as { query?: unknown }).query)
          : (url.searchParams.get('q') ?? '');
      switch (upstream.behaviour) {
        case 'hang':
          return; // never answers; the gateway's timeout must end the wait
        case 'http-500':
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"engine exploded"}');
          return;
        case 'not-json':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
          return;
        case 'bad-shape':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":"none"}');
          return;
        case 'ok':
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify(answer(format, query, upstream.results)));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  upstream.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return upstream;
}
