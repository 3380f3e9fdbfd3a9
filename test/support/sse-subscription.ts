/** A GraphQL subscription over SSE (distinct connections mode), read as its events arrive. */
export interface SseSubscription {
  /** Waits until a `next` payload satisfies `match` (within `timeoutMs`) and returns it. */
  waitFor(
    match: (payload: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function subscribeOverSse(
  url: string,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<SseSubscription> {
  const abort = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
    },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  if (response.status !== 200 || !response.body)
    throw new Error(`SSE subscription answered ${response.status}`);
  const payloads: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(bytes, { stream: true });
      const blocks = buffered.split('\n\n');
      buffered = blocks.pop() ?? '';
      for (const block of blocks) {
        const lines = block.split('\n');
        if (!lines.some((line) => line === 'event: next')) continue;
        const data = lines
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        payloads.push(JSON.parse(data) as Record<string, unknown>);
        for (const waiter of waiters) waiter();
      }
    }
  })().catch(() => {});
  return {
    waitFor(match, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = payloads.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching SSE event within ${timeoutMs} ms; got ${JSON.stringify(payloads)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      abort.abort();
      await reading;
    },
  };
}
