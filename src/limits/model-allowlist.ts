import { GatewayError } from '../core/gateway-error.js';
import type { ModelRef } from '../core/model-ref.js';

/** An entry `openai` allows every model of that provider; `openai/gpt-4o` allows that one model. */
const allows = (entry: string, ref: ModelRef): boolean => entry === ref.provider || entry === ref.id;

/**
 * Refuses, with 403 `forbidden`, a request naming any model the key may not use (in
 * `models` or `fallback_models`), rather than quietly routing around it: the client asked
 * for something it is not allowed, and should hear so before anything else.
 */
export function checkModelAllowlist(allowed: readonly string[] | undefined, refs: readonly ModelRef[]): void {
  if (!allowed) return;
  const refused = [
    ...new Set(refs.filter((ref) => !allowed.some((entry) => allows(entry, ref))).map((ref) => ref.id)),
  ];
  if (refused.length === 0) return;
  throw new GatewayError(
    'forbidden',
    `this API key may not use ${refused.join(', ')} (allowed: ${allowed.join(', ')})`,
    { models: refused, allowedModels: [...allowed] },
  );
}
