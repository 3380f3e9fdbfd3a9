import { Agent, fetch as undiciFetch } from 'undici';

/**
 * Every upstream call goes through this undici Agent (a keep-alive pool per origin), with
 * undici's header and body timeouts (300 s by default, in Node's fetch too) turned off: the
 * router's deadlines (time to first token, stall, whole request) are the only ones, whatever
 * they are configured to, as a reasoning model may think for longer than five minutes.
 */
export const upstreamDispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0 });

/** The fetch the AI SDK providers call upstreams with: undici's, on `upstreamDispatcher`. */
export const upstreamFetch = ((
  input: Parameters<typeof undiciFetch>[0],
  init?: Parameters<typeof undiciFetch>[1],
) => undiciFetch(input, { ...init, dispatcher: upstreamDispatcher })) as unknown as typeof globalThis.fetch;
