import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake upstream answers; each request may choose with its model name (see `shapeOf`). */
export interface UpstreamShape {
  /** Delay before the first byte of the answer, ms. */
  firstTokenDelayMs: number;
  /** Content chunks in a streamed answer. */
  chunkCount: number;
  /** Delay between two streamed chunks, ms. */
  interChunkDelayMs: number;
}

const word = 'token ';

/**
 * The model name picks the shape, so one upstream serves every scenario through an
 * unmodified gateway: `bench-<firstTokenDelayMs>-<chunkCount>-<interChunkDelayMs>`.
 */
export function shapeOf(model: string | undefined, fallback: UpstreamShape): UpstreamShape {
  const match = /^bench-(\d+)-(\d+)-(\d+)$/.exec(model ?? '');
  if (!match) return fallback;
  return {
    firstTokenDelayMs: Number(match[1]),
    chunkCount: Number(match[2]),
    interChunkDelayMs: Number(match[3]),
  };
}

/**
 * A fast OpenAI chat-completions upstream (JSON and SSE, with usage), so that benchmarks
 * measure the gateway and not a provider. Every answer is `chunkCount` words.
 */
export function createUpstreamServer(fallback: UpstreamShape): Server {
  const answers = new Map<string, ReturnType<typeof encodeAnswers>>();
  const sleep = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : undefined);

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const part of req) chunks.push(part as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      model?: string;
      stream?: boolean;
      stream_options?: { include_usage?: boolean };
    };
    const shape = shapeOf(body.model, fallback);
    const key = `${shape.chunkCount}`;
    let encoded = answers.get(key);
    if (!encoded) {
      encoded = encodeAnswers(shape.chunkCount);
      answers.set(key, encoded);
    }
    await sleep(shape.firstTokenDelayMs);
    if (!body.stream) {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(encoded.json),
      });
      res.end(encoded.json);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(encoded.role);
    for (let i = 0; i < shape.chunkCount; i++) {
      if (i > 0) await sleep(shape.interChunkDelayMs);
      if (res.destroyed) return;
      res.write(encoded.text);
    }
    res.write(encoded.finish);
    if (body.stream_options?.include_usage) res.write(encoded.usage);
    res.end('data: [DONE]\n\n');
  }

  return createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    answer(req, res).catch(() => res.destroy());
  });
}

/** The bytes of every answer of one length, encoded once. */
function encodeAnswers(chunkCount: number) {
  const completionJson = JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'bench-model',
    choices: [
      { index: 0, message: { role: 'assistant', content: word.repeat(chunkCount) }, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 20, completion_tokens: chunkCount, total_tokens: 20 + chunkCount },
  });
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'bench-model',
      choices: [{ index: 0, delta, finish_reason: finish }],
    })}\n\n`;
  const roleChunk = chunk({ role: 'assistant', content: '' }, null);
  const textChunk = chunk({ content: word }, null);
  const finishChunk = chunk({}, 'stop');
  const usageChunk = `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'bench-model',
    choices: [],
    usage: { prompt_tokens: 20, completion_tokens: chunkCount, total_tokens: 20 + chunkCount },
  })}\n\n`;
  return { json: completionJson, role: roleChunk, text: textChunk, finish: finishChunk, usage: usageChunk };
}

/** Run standalone: `tsx bench/upstream-server.ts <port> <firstTokenDelayMs> <chunkCount> <interChunkDelayMs>`. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const [port = '0', first = '0', count = '20', inter = '0'] = process.argv.slice(2);
  const server = createUpstreamServer({
    firstTokenDelayMs: Number(first),
    chunkCount: Number(count),
    interChunkDelayMs: Number(inter),
  });
  server.listen(Number(port), '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
}
