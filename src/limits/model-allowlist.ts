import type { ModelRef } from '../core/model-ref.js';

/** An entry `openai` allows every model of that provider; `openai/gpt-4o` allows that one model. */
const allows = (entry: string, ref: ModelRef): boolean => entry === ref.provider || entry === ref.id;

/**
 * Why a key may not use a model, or undefined when it may (or has no allowlist). A model the
 * key may not use is not eligible: the router serves the request with the others, and
 * answers 422 `no_eligible_model` with this reason when none is left.
 */
export function allowlistRefusal(allowed: readonly string[] | undefined, ref: ModelRef): string | undefined {
  if (!allowed || allowed.some((entry) => allows(entry, ref))) return undefined;
  return `this API key may not use it (allowed: ${allowed.join(', ')})`;
}
