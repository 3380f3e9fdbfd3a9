import type { AnswerSource, CompletionResult } from '../../completions/completion-result.js';
import type { GatewayError } from '../../core/gateway-error.js';
import { builder } from '../builder.js';
import { type CompletionChunk as Chunk, streamCompletion } from '../completion-stream.js';
import { graphqlCodeOf } from '../graphql-errors.js';
import { Completion } from './completion.js';
import { completionInputArg, toCompletionInputRequest } from './completion-input.js';

type TextChunk = { type: 'text'; text: string; source: AnswerSource };
type DoneChunk = { type: 'done'; completion: CompletionResult };
type ReasoningChunk = Extract<Chunk, { type: 'reasoning' }>;
type ToolCallChunk = Extract<Chunk, { type: 'tool_call' }>;

const CompletionReasoningChunk = builder.objectRef<ReasoningChunk>('CompletionReasoningChunk').implement({
  description: 'A fragment of the reasoning text the provider returned.',
  fields: (t) => ({ text: t.exposeString('text') }),
});

const CompletionToolCallChunk = builder.objectRef<ToolCallChunk>('CompletionToolCallChunk').implement({
  description:
    'A fragment of a tool call: `index` numbers the calls of the answer; `id` and `name` come with the first fragment of each.',
  fields: (t) => ({
    index: t.exposeInt('index'),
    id: t.string({ nullable: true, resolve: (chunk) => chunk.id ?? null }),
    name: t.string({ nullable: true, resolve: (chunk) => chunk.name ?? null }),
    arguments: t.exposeString('arguments', { description: 'A fragment of the arguments’ JSON text.' }),
  }),
});
type ErrorChunk = { type: 'error'; error: GatewayError; afterText: boolean };

const CompletionTextChunk = builder.objectRef<TextChunk>('CompletionTextChunk').implement({
  description: 'A fragment of the answer.',
  fields: (t) => ({
    text: t.exposeString('text'),
    provider: t.string({ resolve: (chunk) => chunk.source.provider }),
    model: t.string({ resolve: (chunk) => chunk.source.model }),
    responseMessageId: t.id({ resolve: (chunk) => chunk.source.responseMessageId }),
    conversationId: t.id({ resolve: (chunk) => chunk.source.conversationId }),
  }),
});

const CompletionDoneChunk = builder.objectRef<DoneChunk>('CompletionDoneChunk').implement({
  description: 'The last chunk of a completion that succeeded: the whole completion.',
  fields: (t) => ({
    completion: t.field({ type: Completion, resolve: (chunk) => chunk.completion }),
  }),
});

const CompletionErrorChunk = builder.objectRef<ErrorChunk>('CompletionErrorChunk').implement({
  description: 'The last chunk of a completion that failed.',
  fields: (t) => ({
    code: t.string({
      description: 'NOT_FOUND, NO_ELIGIBLE_MODEL, RATE_LIMITED, UPSTREAM_FAILED, UPSTREAM_TIMEOUT, …',
      resolve: (chunk) => graphqlCodeOf(chunk.error.code),
    }),
    message: t.string({ resolve: (chunk) => chunk.error.message }),
    afterText: t.boolean({
      description: 'Text had been sent before the failure; the partial answer is kept.',
      resolve: (chunk) => chunk.afterText,
    }),
    retryAfterSeconds: t.int({ nullable: true, resolve: (chunk) => chunk.error.retryAfterSeconds ?? null }),
  }),
});

const CompletionChunk = builder.unionType('CompletionChunk', {
  types: [
    CompletionTextChunk,
    CompletionReasoningChunk,
    CompletionToolCallChunk,
    CompletionDoneChunk,
    CompletionErrorChunk,
  ],
  resolveType: (chunk) => chunkTypeNames[chunk.type],
});

const chunkTypeNames = {
  text: 'CompletionTextChunk',
  reasoning: 'CompletionReasoningChunk',
  tool_call: 'CompletionToolCallChunk',
  done: 'CompletionDoneChunk',
  error: 'CompletionErrorChunk',
} as const satisfies Record<Chunk['type'], string>;

builder.subscriptionField('completionStream', (t) =>
  t.field({
    type: CompletionChunk,
    description:
      'Streams one completion: text chunks, then exactly one done chunk or one error chunk. Over graphql-ws (graphql-transport-ws) or SSE. Ending the subscription cancels the upstream request.',
    args: { input: t.arg(completionInputArg) },
    subscribe: (_root, args, context) =>
      streamCompletion(context, { ...toCompletionInputRequest(args.input), stream: true }),
    resolve: (chunk: Chunk) => chunk,
  }),
);
