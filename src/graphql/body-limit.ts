import { GraphQLError } from 'graphql';
import type { FetchAPI, Plugin } from 'graphql-yoga';

const tooLarge = (maxBytes: number) =>
  new GraphQLError(`the body is larger than ${maxBytes} bytes (limits.maxBodyBytes)`, {
    extensions: { code: 'PAYLOAD_TOO_LARGE', http: { status: 413 } },
  });

/** The body of `request`, read until it passes `maxBytes`: refused then, before the rest arrives. */
async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const reader = request.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

const tooLargeResponse = (fetchAPI: FetchAPI, maxBytes: number) =>
  new fetchAPI.Response(
    JSON.stringify({
      errors: [{ message: tooLarge(maxBytes).message, extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
    }),
    {
      status: 413,
      headers: { 'content-type': 'application/json; charset=utf-8', connection: 'close' },
    },
  );

/**
 * GraphQL bodies get the REST limit (`limits.maxBodyBytes`): refused with 413 from their
 * Content-Length when it is given, else as soon as the limit is passed while reading.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, endResponse, fetchAPI }) {
      const declared = Number(request.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > maxBytes)
        return endResponse(tooLargeResponse(fetchAPI, maxBytes));
      if (!requestParser || !request.body) return;
      setRequestParser(async (streamed) => {
        const body = await readLimited(streamed, maxBytes);
        return requestParser(
          new fetchAPI.Request(streamed.url, { method: streamed.method, headers: streamed.headers, body }),
        );
      });
    },
  };
}
