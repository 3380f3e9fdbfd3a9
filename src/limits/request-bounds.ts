import { computeCost } from '../catalog/cost.js';
import type { ModelInfo } from '../catalog/model-info.js';

/**
 * Output tokens assumed for a request without `maxTokens` on a model whose catalog entry
 * gives no maximum output: the reservation has to assume some bound.
 */
export const defaultMaxOutputTokens = 4096;

/** The most a request can use: the ceiling its budget reservation and token count start from. */
export interface RequestBounds {
  tokens: number;
  costPico: number;
}

/**
 * Estimated prompt tokens plus the output bound (`maxTokens`, else the model's max output,
 * else the default), at the prices of the most expensive candidate.
 */
export function requestBounds(
  candidates: readonly ModelInfo[],
  promptTokens: number,
  maxTokens: number | undefined,
): RequestBounds {
  let tokens = 0;
  let costPico = 0;
  for (const info of candidates) {
    const output = maxTokens ?? info.maxOutputTokens ?? defaultMaxOutputTokens;
    tokens = Math.max(tokens, promptTokens + output);
    const cost = computeCost(
      { promptTokens, completionTokens: output, reasoningTokens: 0, cachedTokens: 0, estimated: true },
      info.prices,
    );
    costPico = Math.max(costPico, cost.total);
  }
  return { tokens, costPico };
}
