import type { z } from 'zod';
import { UpstreamError } from '../../core/upstream-error.js';
import { abortFailure } from '../abort-failure.js';
import { classifyHttpFailure } from '../classify-upstream-error.js';
import { upstreamFetch } from '../upstream-http.js';

/** Error bodies are read for their reason only. */
const maxErrorBodyChars = 64 * 1024;

export interface JsonPost<T> {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** The minimal shape of a successful answer. */
  schema: z.ZodType<T>;
  signal: AbortSignal;
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * One JSON POST to an upstream, on the shared upstream dispatcher. Resolves with the
 * validated answer; rejects only with an UpstreamError, classified as the chat adapters
 * classify theirs (status, provider error body, Retry-After), or the router's abort reason.
 */
export async function postJson<T>(post: JsonPost<T>): Promise<T> {
  const { signal } = post;
  let response: Response;
  try {
    response = await (post.fetch ?? upstreamFetch)(post.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...post.headers },
      body: JSON.stringify(post.body),
      signal,
    });
  } catch {
    throw (
      abortFailure(signal) ??
      new UpstreamError({ kind: 'network', message: 'the upstream connection failed' })
    );
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    throw (
      abortFailure(signal) ??
      new UpstreamError({ kind: 'incomplete', message: 'the upstream connection was cut mid-answer' })
    );
  }
  if (!response.ok) {
    throw classifyHttpFailure(
      response.status,
      text.slice(0, maxErrorBodyChars),
      Object.fromEntries(response.headers),
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UpstreamError({
      kind: 'incomplete',
      status: response.status,
      message: 'the upstream answered with a body that is not JSON',
    });
  }
  const parsed = post.schema.safeParse(json);
  if (!parsed.success) {
    throw new UpstreamError({
      kind: 'incomplete',
      status: response.status,
      message: 'the upstream answered with a body that is not an embeddings answer',
    });
  }
  return parsed.data;
}
