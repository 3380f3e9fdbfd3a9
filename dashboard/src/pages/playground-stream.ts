import type { AttemptFigures } from '../components/attempts-table.js';
import type { RoutingData } from '../components/routing-view.js';

/** The finished answer, as the playground shows it. */
export interface FinishedCompletion {
  conversationId: string;
  conversationTitle: string;
  provider: string;
  model: string;
  latency: number;
  ttft: number;
  finishReason: string;
  usage: {
    promptTokens: number;
    completionTokens: number;
    totalTokens: number;
    costs: { totalTokensCost: string };
  };
  attempts: AttemptFigures[];
  /** Present when the schema has the routing explanation. */
  routing?: RoutingData | null;
}

export type Chunk =
  | { __typename: 'CompletionTextChunk'; text: string; provider: string; model: string }
  | { __typename: 'CompletionReasoningChunk'; text: string }
  | {
      __typename: 'CompletionToolCallChunk';
      index: number;
      id: string | null;
      name: string | null;
      arguments: string;
    }
  | { __typename: 'CompletionDoneChunk'; completion: FinishedCompletion }
  | { __typename: 'CompletionErrorChunk'; code: string; message: string; afterText: boolean };

/** The subscription, with whatever the schema's routing explanation holds (empty without it). */
export const streamSubscription = (routingSelection: string) => `
  subscription Playground($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on CompletionTextChunk { text provider model }
      ... on CompletionReasoningChunk { text }
      ... on CompletionToolCallChunk { index id name arguments }
      ... on CompletionDoneChunk {
        completion {
          conversationId conversationTitle provider model latency ttft finishReason
          usage { promptTokens completionTokens totalTokens costs { totalTokensCost } }
          attempts { provider model outcome errorKind status latency ttft cost }
          ${routingSelection}
        }
      }
      ... on CompletionErrorChunk { code message afterText }
    }
  }
`;

/** What the answer panel shows while and after it streams. */
export interface RunState {
  status: 'idle' | 'streaming' | 'done' | 'failed';
  text: string;
  reasoning: string;
  /** Where the text is coming from, once the first chunk says. */
  source: string | null;
  toolCalls: { id: string | null; name: string | null; arguments: string }[];
  completion: FinishedCompletion | null;
  error: string | null;
}

export const idle: RunState = {
  status: 'idle',
  text: '',
  reasoning: '',
  source: null,
  toolCalls: [],
  completion: null,
  error: null,
};

/** Folds one chunk into the state. */
export function applyChunk(state: RunState, chunk: Chunk): RunState {
  switch (chunk.__typename) {
    case 'CompletionTextChunk':
      return { ...state, text: state.text + chunk.text, source: `${chunk.provider}/${chunk.model}` };
    case 'CompletionReasoningChunk':
      return { ...state, reasoning: state.reasoning + chunk.text };
    case 'CompletionToolCallChunk': {
      const toolCalls = [...state.toolCalls];
      const call = toolCalls[chunk.index] ?? { id: null, name: null, arguments: '' };
      toolCalls[chunk.index] = {
        id: chunk.id ?? call.id,
        name: chunk.name ?? call.name,
        arguments: call.arguments + chunk.arguments,
      };
      return { ...state, toolCalls };
    }
    case 'CompletionDoneChunk':
      return { ...state, status: 'done', completion: chunk.completion };
    case 'CompletionErrorChunk':
      return { ...state, status: 'failed', error: `${chunk.code}: ${chunk.message}` };
  }
}
