import { picoToDollars } from '../catalog/cost.js';
import type { AnswerSource, CompletionResult } from '../completions/completion-result.js';
import type { ContentPart } from '../core/messages.js';
import { attemptToJson } from '../routing/attempt.js';
import { routingToJson } from '../routing/route-explanation.js';

/** The costs object of SPEC §2 in dollars; `total_tokens_cost` includes web search. */
export const costsToJson = (completion: CompletionResult) => ({
  input_tokens_cost: picoToDollars(completion.cost.input),
  output_tokens_cost: picoToDollars(completion.cost.output),
  search_cost: picoToDollars(completion.searchCost),
  total_tokens_cost: picoToDollars(completion.cost.total),
});

/** A part as REST shows it: provider echoes (signatures) stay in the stored turn. */
export const toRestPart = (part: ContentPart): ContentPart => {
  if (part.type === 'tool_call')
    return { type: 'tool_call', id: part.id, name: part.name, arguments: part.arguments };
  if (part.type === 'reasoning') return { type: 'reasoning', text: part.text };
  return part;
};

/** The SPEC §2 response body of a completion. */
export function completionToRestJson(completion: CompletionResult) {
  const { usage } = completion;
  return {
    provider: completion.provider,
    model: completion.model,
    responseMessageId: completion.responseMessageId,
    conversationId: completion.conversationId,
    conversationTitle: completion.conversationTitle,
    message: { role: 'assistant', type: 'text', content: completion.content.map(toRestPart) },
    usage: {
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      totalTokens: usage.promptTokens + usage.completionTokens,
      reasoningTokens: usage.reasoningTokens,
      cachedTokens: usage.cachedTokens,
      estimated: usage.estimated,
      costs: costsToJson(completion),
      unpriced: completion.unpriced,
    },
    finishReason: completion.finishReason,
    droppedParameters: completion.droppedParameters,
    latency: completion.latencyMs,
    ttft: completion.ttftMs,
    attempts: completion.attempts.map(attemptToJson),
    routing: routingToJson(completion.routing),
    citations: completion.citations,
    // Only for `search: true`: `{status: "ok", query, results}`, `{status: "unavailable", query, reason}`,
    // or `{status: "ok", method: "native", results}` when the provider searched itself.
    ...(completion.search ? { search: completion.search } : {}),
  };
}

/**
 * Serialises text events cheaply: the fields after `text` are the same for every
 * fragment of one answer, so they are encoded once per answer, not once per chunk.
 */
export class TextEventEncoder {
  #source: AnswerSource | undefined;
  #suffix = '';

  encode(text: string, source: AnswerSource): string {
    if (source !== this.#source) {
      this.#source = source;
      const { provider, model, responseMessageId, conversationId } = source;
      this.#suffix = `,${JSON.stringify({ provider, model, responseMessageId, conversationId }).slice(1)}`;
    }
    return `{"type":"text","text":${JSON.stringify(text)}${this.#suffix}`;
  }
}
