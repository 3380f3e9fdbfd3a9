import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../core/gateway-error.js';

/**
 * Reads and parses a JSON body of at most `maxBytes`. Oversized bodies are refused from
 * their Content-Length when it is given, else as soon as the limit is passed.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const tooLarge = () => new GatewayError('payload_too_large', `the body is larger than ${maxBytes} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  if (text.trim().length === 0)
    throw new GatewayError('invalid_request', 'the body is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'unreadable';
    throw new GatewayError('invalid_request', `the body is not valid JSON: ${reason}`);
  }
}
