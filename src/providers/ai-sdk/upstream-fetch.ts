import { Agent, fetch as undiciFetch } from 'undici';

/**
 * The fetch the AI SDK providers call upstreams with: undici's, on a pool with its header
 * and body timeouts (300 s by default in Node's fetch) turned off, so that the router's
 * deadlines (time to first token, stall, whole request) are the only ones, whatever they
 * are configured to: a reasoning model may think for longer than five minutes.
 */
const dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0 });

export const upstreamFetch = ((
  input: Parameters<typeof undiciFetch>[0],
  init?: Parameters<typeof undiciFetch>[1],
) => undiciFetch(input, { ...init, dispatcher })) as unknown as typeof globalThis.fetch;
