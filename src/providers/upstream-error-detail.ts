import { z } from 'zod';
import type { UpstreamErrorKind } from '../core/upstream-error.js';

/** What an upstream error body says, whichever provider wrote it. */
export interface UpstreamErrorDetail {
  /** `type`, `code` or `status` strings, lowercased (e.g. `rate_limit_error`, `resource_exhausted`). */
  labels: string[];
  message: string | undefined;
}

// OpenAI sends `"code": null` (and `"param": null`) on many errors: null is no label, not a foreign shape.
const label = z.union([z.string(), z.number()]).nullish();
// OpenAI: {error:{message,type,code}}; Anthropic: {type:"error",error:{type,message}};
// Gemini: {error:{code,message,status}}; in-stream errors are the inner object itself.
const innerSchema = z.looseObject({
  message: z.string().optional(),
  type: label,
  code: label,
  status: label,
});
const wrappedSchema = z.looseObject({ error: innerSchema });

/** Reads the error detail from a parsed body, a raw body string or an in-stream error object. */
export function readErrorDetail(body: unknown): UpstreamErrorDetail {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { labels: [], message: undefined };
    }
  }
  // Gemini sometimes answers with a one-element array of error objects.
  if (Array.isArray(value) && value.length === 1) value = value[0];
  const wrapped = wrappedSchema.safeParse(value);
  const parsed = wrapped.success
    ? { success: true as const, data: wrapped.data.error }
    : innerSchema.safeParse(value);
  if (!parsed.success) return { labels: [], message: undefined };
  const inner = parsed.data;
  const labels = [inner.type, inner.code, inner.status]
    .filter((entry) => typeof entry === 'string')
    .map((entry) => entry.toLowerCase());
  return { labels, message: inner.message };
}

const contextLengthPattern =
  /context[_ ]length|context window|maximum context|prompt is too long|too many tokens|exceeds the maximum number of tokens|input token count.*exceeds/i;
const contentFilterPattern = /content[_ ](policy|filter|management)|safety system|responsible ai/i;

/** A kind more precise than the status alone tells, when the body names one. */
export function refineKind(
  kind: UpstreamErrorKind,
  detail: UpstreamErrorDetail,
): { kind: UpstreamErrorKind; retryable?: boolean } {
  const { labels, message = '' } = detail;
  const has = (...names: string[]) => names.some((name) => labels.includes(name));
  if (has('context_length_exceeded', 'string_above_max_length') || contextLengthPattern.test(message))
    return { kind: 'context_length_exceeded' };
  if (has('content_policy_violation', 'content_filter') || contentFilterPattern.test(message))
    return { kind: 'content_filtered' };
  // Quota exhausted: a 429 that waiting will not cure.
  if (has('insufficient_quota', 'billing_hard_limit_reached'))
    return { kind: 'rate_limited', retryable: false };
  if (has('overloaded_error')) return { kind: 'overloaded' };
  if (has('rate_limit_error', 'rate_limit_exceeded', 'resource_exhausted')) return { kind: 'rate_limited' };
  if (
    has('authentication_error', 'permission_error', 'invalid_api_key', 'unauthenticated', 'permission_denied')
  )
    return { kind: 'auth' };
  if (has('not_found_error', 'model_not_found')) return { kind: 'not_found' };
  if (kind === 'incomplete' || kind === 'server_error') {
    // In-stream errors have no status: their type is all we know.
    if (has('invalid_request_error', 'invalid_argument')) return { kind: 'bad_request' };
    if (has('unavailable')) return { kind: 'overloaded' };
    if (has('deadline_exceeded')) return { kind: 'timeout' };
  }
  return { kind };
}
