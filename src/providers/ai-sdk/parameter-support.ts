import { getModelCapabilities } from '@ai-sdk/anthropic/internal';
import type { ParameterSupport, SamplingParameter } from '../../core/generation-options.js';

const taking = (...parameters: SamplingParameter[]): ReadonlySet<SamplingParameter> => new Set(parameters);

/**
 * Anthropic's Messages API: temperature up to 1, top_p, top_k and stop sequences; no seed,
 * no penalties. It documents no limit on stop sequences (Amazon Bedrock documents 8191 for
 * Claude). The newest models take no sampling hint but stop sequences: the table follows the
 * AI SDK's own list of them, since the SDK drops those hints for those models.
 */
export function anthropicParameterSupport(model: string): ParameterSupport {
  const { rejectsSamplingParameters } = getModelCapabilities(model);
  return {
    accepts: rejectsSamplingParameters ? taking('stop') : taking('temperature', 'topP', 'topK', 'stop'),
    maxTemperature: 1,
    maxStopSequences: 8191,
  };
}

/** Gemini 2.5 on the Gemini API refuses penalties (the AI SDK drops them for these models). */
const takesNoPenalties = /(^|\/)gemini-2\.5(?:[.-]|$)/i;

/**
 * The Gemini API's `generationConfig`: temperature up to 2, topP, topK, at most 5 stop
 * sequences, seed, and frequency and presence penalties where the model has them.
 */
export function googleParameterSupport(model: string): ParameterSupport {
  return {
    accepts: takesNoPenalties.test(model)
      ? taking('temperature', 'topP', 'topK', 'stop', 'seed')
      : taking('temperature', 'topP', 'topK', 'stop', 'seed', 'frequencyPenalty', 'presencePenalty'),
    maxTemperature: 2,
    maxStopSequences: 5,
  };
}
