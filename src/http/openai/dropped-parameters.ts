import type { AnswerSource } from '../../completions/completion-result.js';
import type { CompletionRequest } from '../../core/completion-request.js';
import {
  type DroppedParameter,
  fitParameters,
  type SamplingParameter,
  samplingParameters,
} from '../../core/generation-options.js';
import type { ProviderRegistry } from '../../providers/provider-registry.js';

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

/**
 * What the answering model's provider was not given, for a stream's headers: they leave
 * with the first fragment, before the completion (which reports the same list) is done.
 * The router fitted the request to the model with the same function, so this is the same
 * answer; cheap (nothing is looked up) when the request has no sampling hint.
 */
export function droppedParametersFor(
  request: CompletionRequest,
  source: AnswerSource,
  registry: ProviderRegistry,
): DroppedParameter[] {
  if (!samplingParameters.some((parameter) => request[parameter] !== undefined)) return [];
  const model = registry.get(source.provider)?.languageModel(source.model);
  return model ? fitParameters(request, model.parameterSupport, source.provider).dropped : [];
}
