import type { CompletionEvent } from '../../completions/completion-event.js';
import type { AnswerSource, CompletionResult } from '../../completions/completion-result.js';
import type { GatewayError } from '../../core/gateway-error.js';
import { type OutputItem, outputItemsOf, outputText } from './output-items.js';
import { ItemNamer } from './response-ids.js';
import { completedResponse, responseErrorOf, toResponseObject } from './response-object.js';
import type { ResponseSettings } from './responses-request.js';
import { annotateOutput, urlAnnotationsOf } from './url-annotations.js';

/** Writes one named event: its `type` and `sequence_number` are already in the payload. */
export type EmitEvent = (type: string, payload: Record<string, unknown>) => void;

type ToolCallDelta = Extract<CompletionEvent, { type: 'tool-call-delta' }>;

/**
 * Turns one answer's events into the Responses stream: `response.created` and
 * `response.in_progress`, then for each output item `output_item.added`, its deltas and its
 * `…done` events, and last `response.completed` (or `.incomplete`, or `.failed`). A text or
 * reasoning item ends when another item starts; tool calls (which may interleave) end with
 * the answer. Items are named as `outputItemsOf` names the stored answer's, so the final
 * response and `GET /v1/responses/{id}` show the same ids.
 */
export class ResponseStreamEncoder {
  #sequence = 0;
  readonly #output: OutputItem[] = [];
  /** The open text or reasoning item, by output index. */
  #open: number | undefined;
  /** Open tool calls: the call's index in the answer → its output index. */
  readonly #calls = new Map<number, number>();
  readonly #names: ItemNamer;

  constructor(
    private readonly emit: EmitEvent,
    private readonly source: AnswerSource,
    private readonly createdAt: number,
    private readonly settings: ResponseSettings,
  ) {
    this.#names = new ItemNamer(source.responseMessageId);
  }

  #send(type: string, payload: Record<string, unknown>): void {
    this.emit(type, { type, sequence_number: this.#sequence++, ...payload });
  }

  #inProgress() {
    return toResponseObject(
      { source: this.source, createdAt: this.createdAt, status: 'in_progress', output: [], usage: null },
      this.settings,
    );
  }

  /** The stream's first events. */
  open(): void {
    this.#send('response.created', { response: this.#inProgress() });
    this.#send('response.in_progress', { response: this.#inProgress() });
  }

  #add(item: OutputItem): number {
    const index = this.#output.length;
    this.#output.push(item);
    this.#send('response.output_item.added', { output_index: index, item: structuredClone(item) });
    return index;
  }

  /** The open text or reasoning item of `type`, opening it (and closing the other one) if needed. */
  #openItem(type: 'message' | 'reasoning'): number {
    if (this.#open !== undefined && this.#output[this.#open]!.type === type) return this.#open;
    this.#closeOpen();
    if (type === 'message') {
      const id = this.#names.next('msg');
      const index = this.#add({ type: 'message', id, role: 'assistant', status: 'in_progress', content: [] });
      const part = outputText('');
      (this.#output[index] as Extract<OutputItem, { type: 'message' }>).content.push(part);
      this.#send('response.content_part.added', {
        item_id: id,
        output_index: index,
        content_index: 0,
        part: { ...part, text: '' },
      });
      this.#open = index;
    } else {
      const id = this.#names.next('rs');
      const index = this.#add({ type: 'reasoning', id, summary: [] });
      (this.#output[index] as Extract<OutputItem, { type: 'reasoning' }>).summary.push({
        type: 'summary_text',
        text: '',
      });
      this.#send('response.reasoning_summary_part.added', {
        item_id: id,
        output_index: index,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      });
      this.#open = index;
    }
    return this.#open;
  }

  text(delta: string): void {
    if (delta === '') return;
    const index = this.#openItem('message');
    const item = this.#output[index] as Extract<OutputItem, { type: 'message' }>;
    item.content[0]!.text += delta;
    this.#send('response.output_text.delta', {
      item_id: item.id,
      output_index: index,
      content_index: 0,
      delta,
      logprobs: [],
    });
  }

  reasoning(delta: string): void {
    if (delta === '') return;
    const index = this.#openItem('reasoning');
    const item = this.#output[index] as Extract<OutputItem, { type: 'reasoning' }>;
    item.summary[0]!.text += delta;
    this.#send('response.reasoning_summary_text.delta', {
      item_id: item.id,
      output_index: index,
      summary_index: 0,
      delta,
    });
  }

  toolCall(event: ToolCallDelta): void {
    let index = this.#calls.get(event.index);
    if (index === undefined) {
      this.#closeOpen();
      index = this.#add({
        type: 'function_call',
        id: this.#names.next('fc'),
        call_id: event.id ?? '',
        name: event.name ?? '',
        arguments: '',
        status: 'in_progress',
      });
      this.#calls.set(event.index, index);
    }
    const item = this.#output[index] as Extract<OutputItem, { type: 'function_call' }>;
    if (event.arguments === '') return;
    item.arguments += event.arguments;
    this.#send('response.function_call_arguments.delta', {
      item_id: item.id,
      output_index: index,
      delta: event.arguments,
    });
  }

  #closeOpen(): void {
    if (this.#open === undefined) return;
    const index = this.#open;
    this.#open = undefined;
    const item = this.#output[index]!;
    if (item.type === 'message') {
      const part = item.content[0]!;
      this.#send('response.output_text.done', {
        item_id: item.id,
        output_index: index,
        content_index: 0,
        text: part.text,
        logprobs: [],
      });
      this.#send('response.content_part.done', {
        item_id: item.id,
        output_index: index,
        content_index: 0,
        part: structuredClone(part),
      });
      item.status = 'completed';
    } else if (item.type === 'reasoning') {
      const part = item.summary[0]!;
      this.#send('response.reasoning_summary_text.done', {
        item_id: item.id,
        output_index: index,
        summary_index: 0,
        text: part.text,
      });
      this.#send('response.reasoning_summary_part.done', {
        item_id: item.id,
        output_index: index,
        summary_index: 0,
        part: structuredClone(part),
      });
    }
    this.#send('response.output_item.done', { output_index: index, item: structuredClone(item) });
  }

  #closeCalls(): void {
    for (const index of this.#calls.values()) {
      const item = this.#output[index] as Extract<OutputItem, { type: 'function_call' }>;
      this.#send('response.function_call_arguments.done', {
        item_id: item.id,
        output_index: index,
        name: item.name,
        arguments: item.arguments,
      });
      item.status = 'completed';
      this.#send('response.output_item.done', { output_index: index, item: structuredClone(item) });
    }
    this.#calls.clear();
  }

  /** The answer is complete: every item ends, then the whole response. */
  finish(completion: CompletionResult): void {
    this.#annotate(completion);
    this.#closeOpen();
    this.#closeCalls();
    const output = annotateOutput(
      outputItemsOf(completion.content, completion.responseMessageId).map(({ item }) => item),
      completion,
    );
    const response = completedResponse(completion, output, this.createdAt, this.settings);
    this.#send(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
  }

  /** The sources come with the finish: they annotate the answer's message while it is still open. */
  #annotate(completion: CompletionResult): void {
    const messages = this.#output.filter((item) => item.type === 'message');
    const [message] = messages;
    if (messages.length !== 1 || !message || this.#output[this.#open ?? -1] !== message) return;
    const part = message.content[0]!;
    for (const [index, annotation] of urlAnnotationsOf(part.text, completion).entries()) {
      part.annotations.push(annotation);
      this.#send('response.output_text.annotation.added', {
        item_id: message.id,
        output_index: this.#open,
        content_index: 0,
        annotation_index: index,
        annotation,
      });
    }
  }

  /** The answer failed after the stream opened: `response.failed` with what was streamed, cut. */
  fail(error: GatewayError): void {
    for (const item of this.#output)
      if (item.type !== 'reasoning' && item.status === 'in_progress') item.status = 'incomplete';
    const response = toResponseObject(
      {
        source: this.source,
        createdAt: this.createdAt,
        status: 'failed',
        output: this.#output,
        usage: null,
        error: responseErrorOf(error),
      },
      this.settings,
    );
    this.#send('response.failed', { response });
  }
}
