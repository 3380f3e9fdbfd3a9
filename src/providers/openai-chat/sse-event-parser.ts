/**
 * An incremental parser of a Server-Sent Events body: feed it text as it arrives, get
 * each event's `data` back (lines joined by "\n"). Fields other than `data`, comments and
 * event names are ignored: the OpenAI chat stream only uses `data`.
 */
export class SseEventParser {
  #buffer = '';
  #data: string | undefined;

  /** Parses `text` and calls `onData` for every complete event in it. */
  feed(text: string, onData: (data: string) => void): void {
    this.#buffer += text;
    let start = 0;
    for (;;) {
      const newline = this.#buffer.indexOf('\n', start);
      if (newline < 0) break;
      const end = newline > start && this.#buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      this.#line(this.#buffer.slice(start, end), onData);
      start = newline + 1;
    }
    this.#buffer = start === 0 ? this.#buffer : this.#buffer.slice(start);
  }

  /** Dispatches an event still pending when the body ended without its blank line. */
  end(onData: (data: string) => void): void {
    if (this.#buffer.length > 0) this.#line(this.#buffer, onData);
    this.#buffer = '';
    this.#line('', onData);
  }

  #line(line: string, onData: (data: string) => void): void {
    if (line.length === 0) {
      if (this.#data !== undefined) onData(this.#data);
      this.#data = undefined;
      return;
    }
    if (!line.startsWith('data:')) return;
    const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
    this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
  }
}
