import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for an upstream LLM API. Tests (and the benchmark) script what it
 * answers, one reply per request, and read back what it received.
 *
 *   const upstream = await startUpstream();
 *   upstream.reply(openaiChat.stream(['Hel', 'lo']), openaiChat.error(429, …));
 *   … point a provider's base URL at `${upstream.url}/v1` …
 *   upstream.received[0].body.model;
 *   await upstream.close();
 */

/** One scripted HTTP answer. The wire-format helpers (openai-chat.ts…) build these. */
export interface UpstreamReply {
  status?: number;
  headers?: Record<string, string>;
  /** Body pieces, written one after the other (each flushed on its own). */
  chunks?: string[];
  /** Wait before the status line and headers go out. */
  firstByteDelayMs?: number;
  /** Wait between two chunks. */
  chunkDelayMs?: number;
  /**
   * How the answer ends: `end` closes it properly; `destroy` drops the socket after the
   * chunks (a connection cut mid-stream); `hang` sends the chunks and then nothing, ever
   * (a stalled stream), until the client goes away or the server closes.
   */
  end?: 'end' | 'destroy' | 'hang';
}

/** A reply, or a function of the request that returns one. */
export type ReplyScript = UpstreamReply | ((request: ReceivedRequest) => UpstreamReply);

/** What the upstream received. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lowercased header names. */
  headers: Record<string, string>;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  body: unknown;
  /** Resolves when the client closed the connection before the reply was complete. */
  clientClosed: Promise<void>;
  /** True once the client closed the connection before the reply was complete. */
  readonly closedEarly: boolean;
}

export interface Upstream {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** Every request received, in order. */
  readonly received: ReceivedRequest[];
  /** Queues replies for the next requests, in order. */
  reply(...replies: ReplyScript[]): void;
  /** The reply used when the queue is empty (a 500 saying "no scripted reply" unless set). */
  replyByDefault(reply: ReplyScript): void;
  /** Replies still queued. */
  readonly pending: number;
  /** Forgets received requests and queued replies. */
  reset(): void;
  close(): Promise<void>;
}

const noScriptedReply: UpstreamReply = {
  status: 500,
  headers: { 'content-type': 'application/json' },
  chunks: [JSON.stringify({ error: { message: 'no scripted reply', type: 'server_error' } })],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function send(reply: UpstreamReply, res: ServerResponse, gone: () => boolean): Promise<void> {
  if (reply.firstByteDelayMs) await sleep(reply.firstByteDelayMs);
  if (gone()) return;
  res.writeHead(reply.status ?? 200, reply.headers ?? {});
  res.flushHeaders();
  for (const [index, chunk] of (reply.chunks ?? []).entries()) {
    if (index > 0 && reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
    if (gone()) return;
    // Wait until the chunk is handed to the socket, so that a `destroy` after it cannot lose it.
    await new Promise<void>((resolve) => res.write(chunk, () => resolve()));
  }
  const end = reply.end ?? 'end';
  if (end === 'end') res.end();
  else if (end === 'destroy') res.socket?.destroy();
}

/** Starts an upstream on a free port of 127.0.0.1. */
export async function startUpstream(): Promise<Upstream> {
  const received: ReceivedRequest[] = [];
  let queue: ReplyScript[] = [];
  let fallback: ReplyScript = noScriptedReply;
  const sockets = new Set<Socket>();

  const server = createServer(async (req, res) => {
    const text = await readBody(req);
    let closedEarly = false;
    let markClosed: () => void = () => {};
    const clientClosed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        closedEarly = true;
        markClosed();
      }
    });
    const request: ReceivedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(', ') : (value ?? ''),
        ]),
      ),
      body: parseBody(text),
      clientClosed,
      get closedEarly() {
        return closedEarly;
      },
    };
    received.push(request);
    const script = queue.shift() ?? fallback;
    const reply = typeof script === 'function' ? script(request) : script;
    await send(reply, res, () => closedEarly);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    reply: (...replies) => {
      queue.push(...replies);
    },
    replyByDefault: (reply) => {
      fallback = reply;
    },
    get pending() {
      return queue.length;
    },
    reset: () => {
      received.length = 0;
      queue = [];
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One Server-Sent Event; `event` is the optional event name line. */
export const sseEvent = (data: unknown, event?: string): string =>
  `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

export const sseHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

/** A JSON error answer, as every provider sends one (with its own body shape). */
export const jsonReply = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): UpstreamReply => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  chunks: [JSON.stringify(body)],
});
