import { picoToDollars } from '../../catalog/cost.js';
import type { AnswerSource, CompletionResult } from '../../completions/completion-result.js';
import type { TokenLogprob } from '../../core/logprobs.js';
import type { ContentPart } from '../../core/messages.js';
import type { FinishReason } from '../../providers/provider.js';
import { attemptToJson } from '../../routing/attempt.js';
import { routingToJson } from '../../routing/route-explanation.js';
import { searchedNatively } from '../../search/citation.js';
import { costsToJson } from '../rest-completion-json.js';
import { toOpenAIDroppedParameters } from './dropped-parameters.js';
import { toUrlCitations } from './url-citations.js';

/** The response header that carries the conversation a completion was stored in. */
export const conversationIdHeader = 'x-switchyard-conversation-id';

/** OpenAI ids of our answers: the stored assistant message's id, so one can be traced to the other. */
export const chatCompletionId = (source: AnswerSource): string => `chatcmpl-${source.responseMessageId}`;

/** The model that answered, as the `provider/model` id a client can send back. */
export const answeringModel = (source: AnswerSource): string => `${source.provider}/${source.model}`;

/** OpenAI has no "other": a model that stopped for a reason of its own simply stopped. */
export const toOpenAIFinishReason = (
  reason: FinishReason,
): 'stop' | 'length' | 'content_filter' | 'tool_calls' => (reason === 'other' ? 'stop' : reason);

/** OpenAI's usage object, with OpenRouter's `cost` in dollars. */
export function toOpenAIUsage(completion: CompletionResult) {
  const { usage, cost } = completion;
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
    cost: picoToDollars(cost.total),
  };
}

/** What Switchyard adds to OpenAI's objects, under one key so it cannot clash with OpenAI's own fields. */
export function switchyardExtension(completion: CompletionResult) {
  return {
    provider: completion.provider,
    conversation_id: completion.conversationId,
    conversation_title: completion.conversationTitle,
    response_message_id: completion.responseMessageId,
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

/** OpenAI's `tool_calls` of an answer: `[{id, type: "function", function: {name, arguments}}]`. */
export const toOpenAIToolCalls = (content: readonly ContentPart[]) =>
  content.flatMap((part) =>
    part.type === 'tool_call'
      ? [{ id: part.id, type: 'function' as const, function: { name: part.name, arguments: part.arguments } }]
      : [],
  );

/** The answer's reasoning text, joined, or undefined when there is none. */
function reasoningTextOf(content: readonly ContentPart[]): string | undefined {
  let reasoning: string | undefined;
  for (const part of content) if (part.type === 'reasoning') reasoning = (reasoning ?? '') + part.text;
  return reasoning;
}

/**
 * The answer as OpenAI's assistant message: `content` is null when the model only called
 * tools, and the reasoning rides `reasoning_content`, as DeepSeek and OpenRouter send it.
 */
function toOpenAIMessage(completion: CompletionResult) {
  const toolCalls = toOpenAIToolCalls(completion.content);
  const reasoning = reasoningTextOf(completion.content);
  return {
    role: 'assistant',
    content: completion.text === '' && toolCalls.length > 0 ? null : completion.text,
    refusal: null,
    ...(reasoning === undefined ? {} : { reasoning_content: reasoning }),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    annotations: toUrlCitations(completion.text, completion.citations, searchedNatively(completion.search)),
  };
}

/** OpenAI's `logprobs.content` entries: `{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}`. */
const toOpenAITokenLogprobs = (tokens: readonly TokenLogprob[]) =>
  tokens.map((entry) => ({
    token: entry.token,
    logprob: entry.logprob,
    bytes: entry.bytes,
    top_logprobs: entry.topLogprobs,
  }));

/** A choice's `logprobs`: null unless the request asked for them, as OpenAI answers. */
export const toOpenAILogprobs = (tokens: readonly TokenLogprob[] | undefined) =>
  tokens === undefined ? null : { content: toOpenAITokenLogprobs(tokens), refusal: null };

/** The other choices (`n` > 1): text only, as the request could not have tools. */
const toOtherChoices = (completion: CompletionResult) =>
  (completion.otherChoices ?? []).map((other) => ({
    index: other.choice,
    message: { role: 'assistant', content: other.text, refusal: null, annotations: [] },
    logprobs: toOpenAILogprobs(other.logprobs),
    finish_reason: toOpenAIFinishReason(other.finishReason),
  }));

/** The `chat.completion` object of a finished completion; `created` is in Unix seconds. */
export function toChatCompletion(completion: CompletionResult, created: number) {
  return {
    id: chatCompletionId(completion),
    object: 'chat.completion',
    created,
    model: answeringModel(completion),
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: toOpenAIMessage(completion),
        logprobs: toOpenAILogprobs(completion.logprobs),
        finish_reason: toOpenAIFinishReason(completion.finishReason),
      },
      ...toOtherChoices(completion),
    ],
    usage: toOpenAIUsage(completion),
    switchyard: switchyardExtension(completion),
  };
}
