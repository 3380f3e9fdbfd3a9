import type { ParameterSupport, SamplingParameter } from '../../core/generation-options.js';
import type { OpenAIDialect } from './openai-dialect.js';

const support = (accepts: SamplingParameter[]): ParameterSupport => ({
  accepts: new Set(accepts),
  maxTemperature: 2,
  maxStopSequences: 4,
});

/** OpenAI's chat models (gpt-4o, gpt-4.1…): everything but top_k, which OpenAI has no field for. */
export const openaiChatSupport = support([
  'temperature',
  'topP',
  'stop',
  'seed',
  'frequencyPenalty',
  'presencePenalty',
]);

/**
 * OpenAI's reasoning models (o-series, gpt-5…) refuse temperature, top_p and the penalties
 * with a 400, and `stop` too ("not supported with this model"); only `seed` is taken.
 */
export const openaiReasoningSupport = support(['seed']);

/**
 * OpenAI-compatible servers take OpenAI's fields and most also take `top_k` (vLLM, Together,
 * Fireworks, OpenRouter, DeepSeek and Ollama read it; servers that do not know it ignore
 * unknown fields), so it is passed on rather than dropped.
 */
export const openaiCompatibleSupport = support([
  'temperature',
  'topP',
  'topK',
  'stop',
  'seed',
  'frequencyPenalty',
  'presencePenalty',
]);

/** Mistral validates its body strictly (an unknown field is a 422) and has no `top_k`. */
export const mistralSupport = support([
  'temperature',
  'topP',
  'stop',
  'seed',
  'frequencyPenalty',
  'presencePenalty',
]);

/** Which sampling hints one model of an OpenAI-format provider takes. */
export function openaiParameterSupport(dialect: OpenAIDialect, reasoningModel: boolean): ParameterSupport {
  switch (dialect.name) {
    case 'openai':
      return reasoningModel ? openaiReasoningSupport : openaiChatSupport;
    case 'mistral':
      return mistralSupport;
    default:
      return openaiCompatibleSupport;
  }
}
