import type { AnswerSource, CompletionResult } from '../completions/completion-result.js';
import type { CompletionRun } from '../completions/completion-run.js';
import type { CompletionRequest } from '../core/completion-request.js';
import { GatewayError } from '../core/gateway-error.js';
import type { GraphQLContext } from './context.js';

/** What `completionStream` yields: text, then exactly one `done` or one `error`. */
export type CompletionChunk =
  | { type: 'text'; text: string; source: AnswerSource }
  | { type: 'reasoning'; text: string }
  | {
      type: 'tool_call';
      index: number;
      id: string | undefined;
      name: string | undefined;
      arguments: string;
    }
  | { type: 'done'; completion: CompletionResult }
  | { type: 'error'; error: GatewayError; afterText: boolean };

/** Starts a completion through the one CompletionService every surface shares. */
export function startCompletion(
  context: GraphQLContext,
  request: CompletionRequest,
  signal: AbortSignal,
): Promise<CompletionRun> {
  return context.service.start(request, {
    principal: context.principal,
    signal,
    startedAt: context.startedAt,
    receivedAt: new Date(),
  });
}

async function* completionChunks(
  context: GraphQLContext,
  request: CompletionRequest,
  signal: AbortSignal,
): AsyncGenerator<CompletionChunk> {
  let events: CompletionRun;
  try {
    events = await startCompletion(context, request, signal);
  } catch (error) {
    // Expected refusals (unknown conversation, no eligible model) end the stream in-band;
    // anything else is a bug and surfaces as a masked GraphQL error.
    if (!(error instanceof GatewayError)) throw error;
    yield { type: 'error', error, afterText: false };
    return;
  }
  for await (const event of events) {
    switch (event.type) {
      case 'text-delta':
        yield { type: 'text', text: event.text, source: event.source };
        break;
      case 'reasoning-delta':
        if (event.text) yield { type: 'reasoning', text: event.text };
        break;
      case 'tool-call-delta': {
        const { index, id, name, arguments: fragment } = event;
        yield { type: 'tool_call', index, id, name, arguments: fragment };
        break;
      }
      case 'done':
        yield { type: 'done', completion: event.completion };
        break;
      case 'error':
        yield { type: 'error', error: event.error, afterText: event.afterText };
    }
  }
}

/**
 * The chunks of one streamed completion. Ending the iterator early (a graphql-ws
 * `complete`, a closed socket, a cancelled SSE response) aborts the upstream request at
 * once: an async generator's own `return()` would wait for the pending upstream read.
 */
export function streamCompletion(
  context: GraphQLContext,
  request: CompletionRequest,
): AsyncIterableIterator<CompletionChunk> {
  const controller = new AbortController();
  const abort = () => controller.abort(new Error('the subscriber went away'));
  context.signal?.addEventListener('abort', abort, { once: true });
  const source = completionChunks(context, request, controller.signal);
  const release = <T>(result: T): T => {
    context.signal?.removeEventListener('abort', abort);
    return result;
  };
  const iterator: AsyncIterableIterator<CompletionChunk> = {
    next: async () => {
      const result = await source.next();
      return result.done ? release(result) : result;
    },
    return: async (value?: unknown) => {
      abort();
      await source.return(undefined);
      return release({ done: true, value });
    },
    throw: async (error?: unknown) => {
      abort();
      await source.return(undefined);
      release(undefined);
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
