import { Agent, request } from 'node:http';
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  /** 2xx answers whose body was not a complete, well-formed answer. */
  incomplete: number;
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
  isComplete: (body: string) => boolean;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body,
    connections: options.connections,
    duration: options.durationSec,
    verifyBody: (body) => options.isComplete(typeof body === 'string' ? body : String(body ?? '')),
  });
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    incomplete: result.mismatches,
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

/**
 * Non-streaming requests one after the other for `durationSec`, each timed with a
 * microsecond clock (autocannon's latencies are whole milliseconds, too coarse for the
 * sub-millisecond overheads measured at concurrency 1). Checks that each answer is complete.
 */
export async function runSequential(options: {
  url: string;
  body: string;
  headers: Record<string, string>;
  durationSec: number;
  isComplete: (body: string) => boolean;
}): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(options.url);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(options.body)),
    ...options.headers,
  };
  const once = () =>
    new Promise<{ ms: number; status: number; body: string }>((resolve, reject) => {
      const start = performance.now();
      const req = request(url, { method: 'POST', agent, headers }, (res) => {
        let received = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received += chunk;
        });
        res.on('end', () =>
          resolve({ ms: performance.now() - start, status: res.statusCode ?? 0, body: received }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(options.body);
    });
  const latencies: number[] = [];
  let non2xx = 0;
  let incomplete = 0;
  let errors = 0;
  const started = performance.now();
  const until = started + options.durationSec * 1000;
  while (performance.now() < until) {
    try {
      const { ms, status, body } = await once();
      latencies.push(ms);
      if (status < 200 || status >= 300) non2xx++;
      else if (!options.isComplete(body)) incomplete++;
    } catch {
      errors++;
    }
  }
  agent.destroy();
  return {
    requests: latencies.length,
    non2xx,
    errors,
    incomplete,
    rps: latencies.length / ((performance.now() - started) / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
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
