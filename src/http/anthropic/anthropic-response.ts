import type { AnswerSource, CompletionResult } from '../../completions/completion-result.js';
import { type ContentPart, echoFor, type ReasoningPart, type ToolCallPart } from '../../core/messages.js';
import type { FinishReason } from '../../providers/provider.js';
import { attemptToJson } from '../../routing/attempt.js';
import { routingToJson } from '../../routing/route-explanation.js';
import { costsToJson } from '../rest-completion-json.js';
import { anthropicEcho } from './anthropic-content.js';

/** The response header that carries the conversation a completion was stored in. */
export const conversationIdHeader = 'x-switchyard-conversation-id';

/** Anthropic ids of our answers: the stored assistant message's id, so one can be traced to the other. */
export const messageId = (source: AnswerSource): string => `msg_${source.responseMessageId}`;

/** The model that answered, as the `provider/model` id a client can send back. */
export const answeringModel = (source: AnswerSource): string => `${source.provider}/${source.model}`;

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'refusal';

/**
 * Our finish reasons in Anthropic's words. A stop sequence is reported as `end_turn`:
 * providers do not all say which sequence matched, so `stop_sequence` stays null.
 */
export const toStopReason = (reason: FinishReason): AnthropicStopReason =>
  reason === 'length'
    ? 'max_tokens'
    : reason === 'tool_calls'
      ? 'tool_use'
      : reason === 'content_filter'
        ? 'refusal'
        : 'end_turn';

/**
 * Anthropic's usage: `input_tokens` excludes what was read from the cache, which has its own
 * counter. Cache writes are not reported by every provider, so they count as zero.
 */
export function toAnthropicUsage(completion: CompletionResult) {
  const { usage } = completion;
  return {
    input_tokens: usage.promptTokens - usage.cachedTokens,
    output_tokens: usage.completionTokens,
    cache_read_input_tokens: usage.cachedTokens,
    cache_creation_input_tokens: 0,
  };
}

/** A thinking block: the signature an Anthropic upstream gave it, or none from another provider. */
export function toThinkingBlock(part: ReasoningPart) {
  const echo = echoFor(part, anthropicEcho);
  if (typeof echo?.redactedData === 'string') return { type: 'redacted_thinking', data: echo.redactedData };
  return {
    type: 'thinking',
    thinking: part.text,
    signature: typeof echo?.signature === 'string' ? echo.signature : '',
  };
}

/**
 * A call's arguments as Anthropic's `input` object. A model may produce arguments that are
 * not a JSON object; the gateway does not repair them: `input` is then `{}` and the text
 * as produced is listed in `switchyard.unparsed_tool_inputs`.
 */
export function parseToolInput(call: ToolCallPart): Record<string, unknown> | undefined {
  if (call.arguments.trim() === '') return {};
  try {
    const input: unknown = JSON.parse(call.arguments);
    return typeof input === 'object' && input !== null && !Array.isArray(input)
      ? (input as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function toContentBlock(part: ContentPart) {
  switch (part.type) {
    case 'reasoning':
      return toThinkingBlock(part);
    case 'tool_call':
      return { type: 'tool_use', id: part.id, name: part.name, input: parseToolInput(part) ?? {} };
    case 'text':
      return part.text.length > 0 ? { type: 'text', text: part.text, citations: null } : undefined;
    default:
      return undefined;
  }
}

/** What Switchyard adds to Anthropic's objects, under one key so it cannot clash with theirs. */
export function switchyardExtension(completion: CompletionResult) {
  const unparsed = completion.content.filter(
    (part): part is ToolCallPart => part.type === 'tool_call' && parseToolInput(part) === undefined,
  );
  return {
    provider: completion.provider,
    conversation_id: completion.conversationId,
    conversation_title: completion.conversationTitle,
    response_message_id: completion.responseMessageId,
    costs: costsToJson(completion),
    unpriced: completion.unpriced,
    usage_estimated: completion.usage.estimated,
    reasoning_tokens: completion.usage.reasoningTokens,
    latency: completion.latencyMs,
    ttft: completion.ttftMs,
    attempts: completion.attempts.map(attemptToJson),
    routing: routingToJson(completion.routing),
    dropped_parameters: completion.droppedParameters,
    citations: completion.citations,
    ...(completion.search ? { search: completion.search } : {}),
    ...(unparsed.length > 0
      ? { unparsed_tool_inputs: unparsed.map((call) => ({ id: call.id, arguments: call.arguments })) }
      : {}),
  };
}

/** The `message` object of a finished completion. */
export function toAnthropicMessage(completion: CompletionResult) {
  return {
    id: messageId(completion),
    type: 'message',
    role: 'assistant',
    model: answeringModel(completion),
    content: completion.content.flatMap((part) => toContentBlock(part) ?? []),
    stop_reason: toStopReason(completion.finishReason),
    stop_sequence: null,
    usage: toAnthropicUsage(completion),
    switchyard: switchyardExtension(completion),
  };
}
