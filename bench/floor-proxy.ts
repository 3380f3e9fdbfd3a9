import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

/**
 * The floor: the unavoidable work of any Node gateway, with nothing else. It reads and
 * parses the request, calls the upstream through undici, parses the answer (each SSE
 * chunk as JSON) and sends it back. No auth, no routing, no persistence, no metrics.
 * The bench runs it pinned and loaded like the gateway, so the gateway's figures can be
 * read as multiples of it.
 *
 * `node --import tsx bench/floor-proxy.ts <port> <upstream origin>`
 */
const [port = '0', origin = 'http://127.0.0.1:8080'] = process.argv.slice(2);
const upstream = new Pool(origin, { connections: 512, pipelining: 1 });

const server = createServer({ keepAliveTimeout: 60_000 }, async (req, res) => {
  try {
    const chunks: Buffer[] = [];
    for await (const part of req) chunks.push(part as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean };
    const answer = await upstream.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-floor' },
      body: JSON.stringify(body),
    });
    if (!body.stream) {
      const json = (await answer.body.json()) as object;
      const text = JSON.stringify(json);
      res.writeHead(answer.statusCode, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    // The headers leave with the first event, in one write (as the gateway sends them).
    res.writeHead(answer.statusCode, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let buffered = '';
    answer.body.setEncoding('utf8');
    for await (const piece of answer.body as AsyncIterable<string>) {
      buffered += piece;
      let end = buffered.indexOf('\n\n');
      let out = '';
      while (end >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = event.startsWith('data: ') ? event.slice(6) : '';
        out += data === '[DONE]' ? 'data: [DONE]\n\n' : `data: ${JSON.stringify(JSON.parse(data))}\n\n`;
        end = buffered.indexOf('\n\n');
      }
      if (out) res.write(out);
    }
    res.end();
  } catch {
    res.destroy();
  }
});

server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
