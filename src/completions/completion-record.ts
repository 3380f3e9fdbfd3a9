import { randomUUID } from 'node:crypto';
import { computeCost, picoToDecimal } from '../catalog/cost.js';
import type { CompletionRequest } from '../core/completion-request.js';
import type { GatewayError } from '../core/gateway-error.js';
import type { ContentPart } from '../core/messages.js';
import type { Usage } from '../core/usage.js';
import type { Attempt } from '../routing/attempt.js';
import type { Candidate } from '../routing/route-completion.js';
import type { Citation } from '../search/citation.js';
import type { Grounding } from '../search/ground-conversation.js';
import type { CompletionRecord } from '../store/completion-recorder.js';
import type { CompletionResult } from './completion-result.js';
import type { CompletionContext, ConversationTarget } from './completion-service.js';

export type CompletionOutcome =
  | { kind: 'succeeded'; completion: CompletionResult }
  | {
      kind: 'failed';
      error: GatewayError;
      attempts: Attempt[];
      /** The answer so far, when text had been sent before the failure. */
      partial: { candidate: Candidate; ttftMs: number; content: ContentPart[]; usage: Usage } | undefined;
      responseMessageId: string;
      latencyMs: number;
    };

export interface CompletionRecordInput {
  context: CompletionContext;
  request: CompletionRequest;
  conversation: ConversationTarget;
  outcome: CompletionOutcome;
  /** The search of a `search: true` request: its cost is billed and its sources kept with the answer. */
  grounding?: Grounding | undefined;
}

const attemptRows = (completionId: string, attempts: Attempt[]) =>
  attempts.map((attempt, position) => ({
    completionId,
    position,
    provider: attempt.provider,
    model: attempt.model,
    outcome: attempt.outcome,
    errorKind: attempt.errorKind ?? null,
    httpStatus: attempt.status ?? null,
    latencyMs: attempt.latencyMs,
    ttftMs: attempt.ttftMs ?? null,
    promptTokens: attempt.usage?.promptTokens ?? 0,
    completionTokens: attempt.usage?.completionTokens ?? 0,
    usageEstimated: attempt.usage?.estimated ?? false,
    cost: picoToDecimal(attempt.cost.total),
    continuedAt: attempt.continuedAt ?? null,
    hedged: attempt.hedged,
  }));

const usageColumns = (usage: Usage) => ({
  promptTokens: usage.promptTokens,
  completionTokens: usage.completionTokens,
  reasoningTokens: usage.reasoningTokens,
  cachedTokens: usage.cachedTokens,
  usageEstimated: usage.estimated,
});

/**
 * The rows one request stores. A request that failed before any text stores its
 * completion and attempts but no conversation turns; an answer cut short stores its
 * turns with the partial answer marked incomplete, and is billed.
 */
export function buildCompletionRecord(input: CompletionRecordInput): CompletionRecord {
  const record = buildFullRecord(input);
  // `store: false` keeps what accounting needs (the completion and its attempts), never the turns.
  if (input.request.store !== false) return record;
  return {
    ...record,
    conversation: undefined,
    messages: [],
    completion: { ...record.completion, conversationId: null },
  };
}

function buildFullRecord({
  context,
  request,
  conversation,
  outcome,
  grounding,
}: CompletionRecordInput): CompletionRecord {
  const apiKeyId = context.principal.keyId;
  // A search that ran is paid for whatever the models did afterwards.
  const searchCost = grounding?.cost ?? 0;
  // Only the answer keeps the sources: the user's turns are stored as sent, without them.
  // [search, issue 9] An answer of a native search keeps its provider's pages; a cut-short
  // one has none (they come with the finish), and never the backend's sources it was not given.
  const citationsOf = (list: Citation[] | undefined) => (list && list.length > 0 ? list : null);
  const citations =
    outcome.kind === 'succeeded'
      ? citationsOf(outcome.completion.citations)
      : outcome.partial?.candidate.search
        ? null
        : citationsOf(grounding?.citations);
  const answeredAt = new Date();
  const requestTurns = (
    responseMessageId: string,
    answer: { content: ContentPart[]; provider: string; model: string; complete: boolean },
  ) => [
    ...request.messages.map((message) => ({
      id: randomUUID(),
      conversationId: conversation.id,
      role: message.role,
      content: message.content,
      toolCallId: message.toolCallId ?? null,
      createdAt: context.receivedAt,
    })),
    {
      id: responseMessageId,
      conversationId: conversation.id,
      role: 'assistant' as const,
      content: answer.content,
      toolCallId: null,
      provider: answer.provider,
      model: answer.model,
      complete: answer.complete,
      citations,
      createdAt: answeredAt,
    },
  ];
  const conversationRow = {
    id: conversation.id,
    apiKeyId,
    title: conversation.title,
    isNew: conversation.isNew,
    at: answeredAt,
  };

  if (outcome.kind === 'succeeded') {
    const { completion } = outcome;
    return {
      conversation: conversationRow,
      messages: requestTurns(completion.responseMessageId, { ...completion, complete: true }),
      completion: {
        id: completion.id,
        apiKeyId,
        conversationId: conversation.id,
        responseMessageId: completion.responseMessageId,
        provider: completion.provider,
        model: completion.model,
        status: 'succeeded',
        stream: request.stream,
        ...usageColumns(completion.usage),
        unpriced: completion.unpriced,
        inputCost: picoToDecimal(completion.cost.input),
        outputCost: picoToDecimal(completion.cost.output),
        searchCost: picoToDecimal(completion.searchCost),
        totalCost: picoToDecimal(completion.cost.total),
        latencyMs: completion.latencyMs,
        ttftMs: completion.ttftMs,
        createdAt: context.receivedAt,
      },
      attempts: attemptRows(completion.id, completion.attempts),
    };
  }

  const completionId = randomUUID();
  const { partial } = outcome;
  const base = {
    id: completionId,
    apiKeyId,
    stream: request.stream,
    errorCode: outcome.error.code,
    latencyMs: outcome.latencyMs,
    searchCost: picoToDecimal(searchCost),
    createdAt: context.receivedAt,
  };
  if (!partial) {
    return {
      conversation: conversation.isNew ? undefined : { ...conversationRow, isNew: false },
      messages: [],
      completion: {
        ...base,
        conversationId: conversation.isNew ? null : conversation.id,
        status: 'failed',
        totalCost: picoToDecimal(searchCost),
      },
      attempts: attemptRows(completionId, outcome.attempts),
    };
  }
  const { info } = partial.candidate;
  const cost = computeCost(partial.usage, info.prices);
  return {
    conversation: conversationRow,
    messages: requestTurns(outcome.responseMessageId, { ...info, content: partial.content, complete: false }),
    completion: {
      ...base,
      conversationId: conversation.id,
      responseMessageId: outcome.responseMessageId,
      provider: info.provider,
      model: info.model,
      status: 'incomplete',
      ...usageColumns(partial.usage),
      unpriced: info.prices === undefined,
      inputCost: picoToDecimal(cost.input),
      outputCost: picoToDecimal(cost.output),
      totalCost: picoToDecimal(cost.total + searchCost),
      ttftMs: partial.ttftMs,
    },
    attempts: attemptRows(completionId, outcome.attempts),
  };
}
