import type { AnswerSource, CompletionResult } from '../../completions/completion-result.js';
import type { GatewayError } from '../../core/gateway-error.js';
import type { Usage } from '../../core/usage.js';
import type { FinishReason } from '../../providers/provider.js';
import { attemptToJson } from '../../routing/attempt.js';
import { routingToJson } from '../../routing/route-explanation.js';
import { toOpenAIDroppedParameters } from '../openai/dropped-parameters.js';
import { costsToJson } from '../rest-completion-json.js';
import type { OutputItem } from './output-items.js';
import { responseIdOf } from './response-ids.js';
import type { ResponseSettings } from './responses-request.js';

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** Why an answer stopped short, as the Responses API names it. */
export type IncompleteReason = 'max_output_tokens' | 'content_filter';

export const incompleteReasonOf = (finish: FinishReason): IncompleteReason | undefined =>
  finish === 'length' ? 'max_output_tokens' : finish === 'content_filter' ? 'content_filter' : undefined;

/** The Responses usage object. */
export const toResponsesUsage = (
  usage: Pick<Usage, 'promptTokens' | 'completionTokens' | 'cachedTokens' | 'reasoningTokens'>,
) => ({
  input_tokens: usage.promptTokens,
  input_tokens_details: { cached_tokens: usage.cachedTokens },
  output_tokens: usage.completionTokens,
  output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  total_tokens: usage.promptTokens + usage.completionTokens,
});

/** The settings a stored response is shown with: the request's own were not stored with it. */
export const storedSettings: ResponseSettings = {
  instructions: null,
  max_output_tokens: null,
  metadata: {},
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  store: true,
  temperature: null,
  text: { format: { type: 'text' }, verbosity: 'medium' },
  tool_choice: 'auto',
  tools: [],
  top_p: null,
  truncation: 'disabled',
  user: null,
};

export interface ResponseState {
  source: Pick<AnswerSource, 'provider' | 'model' | 'responseMessageId'>;
  /** Unix seconds. */
  createdAt: number;
  status: ResponseStatus;
  output: OutputItem[];
  usage: ReturnType<typeof toResponsesUsage> | null;
  incompleteReason?: IncompleteReason | undefined;
  error?: { code: string; message: string } | undefined;
  switchyard?: Record<string, unknown> | undefined;
}

/** A Responses `response` object: what the answer is, and the settings it was asked with. */
export function toResponseObject(state: ResponseState, settings: ResponseSettings) {
  return {
    id: responseIdOf(state.source.responseMessageId),
    object: 'response',
    created_at: state.createdAt,
    status: state.status,
    background: false,
    error: state.error ?? null,
    incomplete_details: state.incompleteReason ? { reason: state.incompleteReason } : null,
    model: `${state.source.provider}/${state.source.model}`,
    output: state.output,
    usage: state.usage,
    ...settings,
    ...(state.switchyard ? { switchyard: state.switchyard } : {}),
  };
}

/**
 * What Switchyard adds, under one key so it cannot clash with OpenAI's fields. Without
 * `store` there is no conversation to name.
 */
export function switchyardOf(completion: CompletionResult, stored: boolean) {
  return {
    provider: completion.provider,
    ...(stored
      ? {
          conversation_id: completion.conversationId,
          conversation_title: completion.conversationTitle,
          response_message_id: completion.responseMessageId,
        }
      : {}),
    finish_reason: completion.finishReason,
    costs: costsToJson(completion),
    unpriced: completion.unpriced,
    usage_estimated: completion.usage.estimated,
    latency: completion.latencyMs,
    ttft: completion.ttftMs,
    attempts: completion.attempts.map(attemptToJson),
    routing: routingToJson(completion.routing),
    dropped_parameters: toOpenAIDroppedParameters(completion.droppedParameters),
    citations: completion.citations,
    ...(completion.search ? { search: completion.search } : {}),
  };
}

/** The finished response of a completion. */
export function completedResponse(
  completion: CompletionResult,
  output: OutputItem[],
  createdAt: number,
  settings: ResponseSettings,
) {
  const incompleteReason = incompleteReasonOf(completion.finishReason);
  return toResponseObject(
    {
      source: completion,
      createdAt,
      status: incompleteReason ? 'incomplete' : 'completed',
      output,
      usage: toResponsesUsage(completion.usage),
      incompleteReason,
      switchyard: switchyardOf(completion, settings.store),
    },
    settings,
  );
}

/** The `error` of a failed response: our code and message. */
export const responseErrorOf = (error: GatewayError) => ({ code: error.code, message: error.message });
