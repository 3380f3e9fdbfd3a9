import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible upstream that streams a few chat chunks and then stalls,
 * never finishing, and reports when the gateway closes the request: the observable proof
 * of cancellation. Because it stalls, only an abort (not a later chunk) can end the call.
 */
export interface SlowUpstream {
  /** Base URL including `/v1`. */
  baseURL: string;
  /** Requests received so far. */
  readonly requests: number;
  /** Resolves when the n-th request (1-based) has been closed by the gateway. */
  closed(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSlowUpstream(chunksBeforeStall = 3, intervalMs = 20): Promise<SlowUpstream> {
  let requests = 0;
  const closedResolvers = new Map<number, () => void>();
  const closedPromises = new Map<number, Promise<void>>();
  const closedPromise = (n: number) => {
    let promise = closedPromises.get(n);
    if (!promise) {
      promise = new Promise<void>((resolve) => closedResolvers.set(n, resolve));
      closedPromises.set(n, promise);
    }
    return promise;
  };

  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    const n = ++requests;
    closedPromise(n);
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const chunk = (content: string, role?: string) =>
      `data: ${JSON.stringify({
        id: `chatcmpl-${n}`,
        object: 'chat.completion.chunk',
        created: 0,
        model: 'model-1',
        choices: [{ index: 0, delta: role ? { role, content } : { content }, finish_reason: null }],
      })}\n\n`;
    res.write(chunk('tick ', 'assistant'));
    let sent = 1;
    const timer = setInterval(() => {
      if (sent++ < chunksBeforeStall) res.write(chunk('tick '));
    }, intervalMs);
    res.on('close', () => {
      clearInterval(timer);
      closedResolvers.get(n)?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return requests;
    },
    closed: closedPromise,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
