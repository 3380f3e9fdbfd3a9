import type { DroppedParameter, SamplingParameter } from '../../core/generation-options.js';

/** The response header naming the parameters the answering model did not receive (or received changed). */
export const droppedParametersHeader = 'x-switchyard-dropped-parameters';

/** Our names of the sampling hints, as the Chat Completions body spells them. */
const openaiNames: Record<SamplingParameter, string> = {
  temperature: 'temperature',
  topP: 'top_p',
  topK: 'top_k',
  stop: 'stop',
  seed: 'seed',
  frequencyPenalty: 'frequency_penalty',
  presencePenalty: 'presence_penalty',
};

/** `switchyard.dropped_parameters`: `[{parameter, reason}]`, with OpenAI's parameter names. */
export const toOpenAIDroppedParameters = (dropped: readonly DroppedParameter[]) =>
  dropped.map(({ parameter, reason }) => ({ parameter: openaiNames[parameter], reason }));

/**
 * The header's value: the parameter names, comma-separated (`top_k,temperature`), or
 * nothing when none was dropped. Names only: the reasons are free text and stay in the body.
 */
export function droppedParametersHeaders(dropped: readonly DroppedParameter[]): Record<string, string> {
  if (dropped.length === 0) return {};
  const names = new Set(dropped.map(({ parameter }) => openaiNames[parameter]));
  return { [droppedParametersHeader]: [...names].join(',') };
}
