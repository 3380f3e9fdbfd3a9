import type { CompletionResult } from '../../completions/completion-result.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { ContentPart as CoreContentPart } from '../../core/messages.js';
import { builder } from '../builder.js';
import { startCompletion } from '../completion-stream.js';
import { picoToDecimalString } from '../decimal.js';
import { Attempt } from './attempt.js';
import { Citation, SearchReport } from './citation.js';
import { completionInputArg, toCompletionInputRequest } from './completion-input.js';
import { ContentPart, MessageRole } from './message.js';
import { RoutingExplanation } from './routing.js';
import { Decimal } from './scalars.js';

const FinishReason = builder.enumType('FinishReason', {
  values: {
    STOP: { value: 'stop' },
    LENGTH: { value: 'length' },
    CONTENT_FILTER: { value: 'content_filter' },
    TOOL_CALLS: { value: 'tool_calls' },
    OTHER: { value: 'other' },
  } as const,
});

const DroppedParameter = builder
  .objectRef<CompletionResult['droppedParameters'][number]>('DroppedParameter')
  .implement({
    fields: (t) => ({ parameter: t.exposeString('parameter'), reason: t.exposeString('reason') }),
  });

const CompletionCosts = builder.objectRef<CompletionResult>('CompletionCosts').implement({
  description: 'US dollars, from the model’s prices and the search price.',
  fields: (t) => ({
    inputTokensCost: t.field({ type: Decimal, resolve: ({ cost }) => picoToDecimalString(cost.input) }),
    outputTokensCost: t.field({ type: Decimal, resolve: ({ cost }) => picoToDecimalString(cost.output) }),
    searchCost: t.field({
      type: Decimal,
      description: 'Web search (zero without it); included in totalTokensCost.',
      resolve: (completion) => picoToDecimalString(completion.searchCost),
    }),
    totalTokensCost: t.field({ type: Decimal, resolve: ({ cost }) => picoToDecimalString(cost.total) }),
  }),
});

const CompletionUsage = builder.objectRef<CompletionResult>('CompletionUsage').implement({
  fields: (t) => ({
    promptTokens: t.int({
      description: 'Includes cachedTokens.',
      resolve: (completion) => completion.usage.promptTokens,
    }),
    completionTokens: t.int({
      description: 'Includes reasoningTokens.',
      resolve: (completion) => completion.usage.completionTokens,
    }),
    totalTokens: t.int({
      resolve: ({ usage }) => usage.promptTokens + usage.completionTokens,
    }),
    reasoningTokens: t.int({ resolve: (completion) => completion.usage.reasoningTokens }),
    cachedTokens: t.int({ resolve: (completion) => completion.usage.cachedTokens }),
    estimated: t.boolean({
      description: 'Counted by our tokenizer because the upstream reported none.',
      resolve: (completion) => completion.usage.estimated,
    }),
    unpriced: t.boolean({
      description: 'The model has no price in the catalog: costs are zero.',
      resolve: (completion) => completion.unpriced,
    }),
    costs: t.field({ type: CompletionCosts, resolve: (completion) => completion }),
  }),
});

const CompletionMessage = builder.objectRef<CompletionResult>('CompletionMessage').implement({
  description: 'The answer.',
  fields: (t) => ({
    role: t.field({ type: MessageRole, resolve: () => 'assistant' as const }),
    type: t.string({ description: 'Always "text".', resolve: () => 'text' }),
    content: t.field({
      type: [ContentPart],
      description: 'Reasoning, text and tool calls, in the order the model produced them.',
      resolve: (completion): CoreContentPart[] => completion.content,
    }),
  }),
});

export const Completion = builder.objectRef<CompletionResult>('Completion').implement({
  description: 'A finished completion: every field of the REST response (SPEC §2), in camelCase.',
  fields: (t) => ({
    provider: t.exposeString('provider'),
    model: t.exposeString('model'),
    responseMessageId: t.exposeID('responseMessageId'),
    conversationId: t.exposeID('conversationId'),
    conversationTitle: t.exposeString('conversationTitle'),
    message: t.field({ type: CompletionMessage, resolve: (completion) => completion }),
    usage: t.field({ type: CompletionUsage, resolve: (completion) => completion }),
    finishReason: t.field({ type: FinishReason, resolve: (completion) => completion.finishReason }),
    droppedParameters: t.field({
      type: [DroppedParameter],
      description: 'Sampling hints the answering provider did not receive, or received clamped.',
      resolve: (completion) => completion.droppedParameters,
    }),
    latency: t.int({
      description: 'Milliseconds from arrival to the end of the answer.',
      resolve: (completion) => completion.latencyMs,
    }),
    ttft: t.int({
      description: 'Milliseconds from arrival to the first token.',
      resolve: (completion) => completion.ttftMs,
    }),
    attempts: t.field({ type: [Attempt], resolve: (completion) => completion.attempts }),
    routing: t.field({
      type: RoutingExplanation,
      description: 'Why this model: the plan’s ranked candidates and exclusions.',
      resolve: (completion) => completion.routing,
    }),
    citations: t.field({
      type: [Citation],
      description: 'The numbered sources of a `search: true` request; empty otherwise.',
      resolve: (completion) => completion.citations,
    }),
    search: t.field({
      type: SearchReport,
      nullable: true,
      description: 'How the web search went; null when the request did not ask for search.',
      resolve: (completion) => completion.search ?? null,
    }),
  }),
});

builder.mutationField('completion', (t) =>
  t.field({
    type: Completion,
    description: 'Runs one completion and answers with the whole of it.',
    args: { input: t.arg(completionInputArg) },
    resolve: async (_root, args, context) => {
      const request = { ...toCompletionInputRequest(args.input), stream: false };
      const signal = context.signal ?? new AbortController().signal;
      const events = await startCompletion(context, request, signal);
      for await (const event of events) {
        if (event.type === 'done') return event.completion;
        if (event.type === 'error') throw event.error;
      }
      throw new GatewayError('internal_error', 'the completion ended without an answer');
    },
  }),
);
