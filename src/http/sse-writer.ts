import type { ServerResponse } from 'node:http';

/**
 * Writes Server-Sent Events. Each event is one `data:` line of JSON, which cannot hold
 * a raw CR or LF, so no field needs escaping beyond JSON's own.
 */
export class SseWriter {
  #closed = false;
  #corked = false;
  readonly #uncork = () => {
    this.#corked = false;
    if (!this.#closed) this.res.uncork();
  };

  constructor(private readonly res: ServerResponse) {
    res.on('close', () => {
      this.#closed = true;
    });
  }

  /** Sets the headers; they leave with the first event, in the same socket write. */
  open(headers: Record<string, string> = {}): void {
    this.res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
  }

  /** False once the client went away. */
  get clientConnected(): boolean {
    return !this.#closed;
  }

  /**
   * Writes one event whose JSON is already serialised. Events written in the same turn of
   * the event loop (the fragments of one upstream read) leave in one socket write.
   */
  writeJson(json: string): void {
    this.#send(`data: ${json}\n\n`);
  }

  write(event: unknown): void {
    this.writeJson(JSON.stringify(event));
  }

  /**
   * Writes one event with an `event:` name line before its data (Anthropic's streams name
   * every event). A name with a CR or LF would split the event, so it is refused.
   */
  writeNamed(name: string, event: unknown): void {
    if (/[\r\n]/.test(name)) throw new Error('an SSE event name cannot hold a CR or LF');
    this.#send(`event: ${name}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  #send(text: string): void {
    if (this.#closed) return;
    if (!this.#corked) {
      this.#corked = true;
      this.res.cork();
      setImmediate(this.#uncork);
    }
    this.res.write(text);
  }

  end(): void {
    if (this.#closed) return;
    if (this.#corked) this.#uncork();
    this.res.end();
  }
}
