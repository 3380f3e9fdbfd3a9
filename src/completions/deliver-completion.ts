import type { GatewayError } from '../core/gateway-error.js';
import type { CompletionEvent } from './completion-event.js';
import type { AnswerSource, CompletionResult } from './completion-result.js';

/** A fragment of the answer, as every surface streams it. */
export type AnswerFragmentEvent = Extract<
  CompletionEvent,
  { type: 'text-delta' | 'reasoning-delta' | 'tool-call-delta' }
>;

/** A fragment of another choice than the answer. */
export type ChoiceFragmentEvent = Extract<CompletionEvent, { type: 'choice-delta' }>;

/**
 * What a surface writes, in its own wire format. The sink decides when: a whole answer or
 * an error before anything was sent (`json` / `refuse`, with its status), or a stream that
 * opens with the first fragment, then its fragments, then one `finish` or one `fail`.
 */
export interface CompletionWriter {
  /** The whole answer of a request that did not ask for a stream. */
  json(completion: CompletionResult): void;
  /** The request failed before anything was sent: a plain error with its status. */
  refuse(error: GatewayError): void;
  /** The first thing to stream is there: send the headers and the stream's opening. */
  open(source: AnswerSource): void;
  fragment(event: AnswerFragmentEvent): void;
  /** Another choice's text (`n` > 1); a surface without it never sees them. */
  choice?(event: ChoiceFragmentEvent): void;
  /** The stream's last event: the whole completion. */
  finish(completion: CompletionResult): void;
  /** The stream failed after it opened: the in-band error. */
  fail(error: GatewayError): void;
}

/**
 * Turns a completion's events into a surface's answer, the same way for every surface:
 * nothing is sent to a non-streaming client before the answer is complete, and a stream
 * opens only once there is something to send, so a failure before that is a plain error
 * with its status. Cancelling (the client went away) and settling are the run's own.
 */
export async function deliverCompletion(
  events: AsyncIterable<CompletionEvent>,
  stream: boolean,
  writer: CompletionWriter,
): Promise<void> {
  let opened = false;
  for await (const event of events) {
    switch (event.type) {
      case 'done':
        if (!stream) return writer.json(event.completion);
        if (!opened) writer.open(event.completion);
        return writer.finish(event.completion);
      case 'error':
        return opened ? writer.fail(event.error) : writer.refuse(event.error);
      case 'choice-delta':
        if (!stream || !writer.choice) break;
        if (!opened) {
          opened = true;
          writer.open(event.source);
        }
        writer.choice(event);
        break;
      default:
        if (!stream) break;
        if (!opened) {
          opened = true;
          writer.open(event.source);
        }
        writer.fragment(event);
    }
  }
}
