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

/** One POST, timed: to the first occurrence of `marker` in the body (if given) and to its end. */
function timedPost(
  agent: Agent,
  url: URL,
  body: string,
  headers: Record<string, string>,
  marker?: string,
): Promise<{ status: number; ttftMs: number; totalMs: number; text: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let ttftMs = -1;
    let text = '';
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (marker !== undefined && ttftMs < 0 && text.includes(marker)) ttftMs = performance.now() - start;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, ttftMs, totalMs: performance.now() - start, text }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
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
  const latencies: number[] = [];
  let non2xx = 0;
  let incomplete = 0;
  let errors = 0;
  const started = performance.now();
  const until = started + options.durationSec * 1000;
  while (performance.now() < until) {
    try {
      const { status, totalMs, text } = await timedPost(agent, url, options.body, options.headers);
      latencies.push(totalMs);
      if (status < 200 || status >= 300) non2xx++;
      else if (!options.isComplete(text)) incomplete++;
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
export async function streamOnce(
  agent: Agent,
  url: URL,
  body: string,
  headers: Record<string, string>,
  isComplete: (body: string) => boolean,
  firstContentMarker: string,
): Promise<StreamTiming> {
  const { status, ttftMs, totalMs, text } = await timedPost(agent, url, body, headers, firstContentMarker);
  return { ttftMs, totalMs, complete: status === 200 && isComplete(text), text };
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
