import { write, writeSync } from 'node:fs';

/** Lines written together at most; a burst beyond it starts a write at once. */
const maxBatchLines = 64;
/** How long a line may wait for others before it is written. */
const maxWaitMs = 50;

/**
 * A log destination for pino that gathers lines and writes them together: at 64 lines, or
 * 50 ms after the first one waiting, whichever comes first, so under load one syscall
 * carries many lines (a write per request was the logger's largest cost; sonic-boom's own
 * `minLength` batching re-measures the whole pending buffer on every line, which cost about
 * as much as it saved). Writes stay in order; what waits is written synchronously at exit.
 */
export class CoalescingStdout {
  #pending: string[] = [];
  #writing = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly fd = 1) {}

  write(line: string): boolean {
    this.#pending.push(line);
    if (this.#pending.length >= maxBatchLines) this.#start();
    else this.#timer ??= setTimeout(() => this.#start(), maxWaitMs).unref();
    return true;
  }

  /** Writes what is waiting at once (at exit). */
  flushSync(): void {
    this.#clearTimer();
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    try {
      writeSync(this.fd, text);
    } catch {
      // stdout is gone: nowhere left to log to.
    }
  }

  #start(): void {
    this.#clearTimer();
    if (this.#writing || this.#pending.length === 0) return;
    this.#writing = true;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#send(Buffer.from(text));
  }

  #send(bytes: Buffer): void {
    write(this.fd, bytes, (error, written) => {
      if (error && error.code === 'EAGAIN') {
        // A non-blocking pipe that is full: the same bytes again shortly.
        setTimeout(() => this.#send(bytes), 10).unref();
        return;
      }
      // A short write goes on with the rest; any other error drops the batch (nowhere to report it).
      if (!error && written < bytes.length) return this.#send(bytes.subarray(written));
      this.#writing = false;
      if (this.#pending.length >= maxBatchLines) this.#start();
      else if (this.#pending.length > 0) this.#timer ??= setTimeout(() => this.#start(), maxWaitMs).unref();
    });
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
