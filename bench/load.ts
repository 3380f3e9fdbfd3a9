import { type Agent, request } from 'node:http';
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** Non-streaming load with autocannon for `durationSec` at `connections`. */
export async function runAutocannon(options: {
  url: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  durationSec: number;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body,
    connections: options.connections,
    duration: options.durationSec,
  });
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

export interface StreamTiming {
  ttftMs: number;
  totalMs: number;
  /** The body ended the way the protocol says a complete answer ends. */
  complete: boolean;
  text: string;
}

/** One streamed request: time to the first content fragment and to the end. */
export function streamOnce(
  agent: Agent,
  url: URL,
  body: string,
  headers: Record<string, string>,
  isComplete: (body: string) => boolean,
  firstContentMarker: string,
): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let ttftMs = -1;
    let received = '';
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received += chunk;
          if (ttftMs < 0 && received.includes(firstContentMarker)) ttftMs = performance.now() - start;
        });
        res.on('end', () =>
          resolve({
            ttftMs,
            totalMs: performance.now() - start,
            complete: res.statusCode === 200 && isComplete(received),
            text: received,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `total` streams with at most `concurrency` open at once. */
export async function runStreams(
  total: number,
  concurrency: number,
  once: () => Promise<StreamTiming>,
): Promise<StreamTiming[]> {
  const results: StreamTiming[] = [];
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started++;
      results.push(await once());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return results;
}

export const median = (values: number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
