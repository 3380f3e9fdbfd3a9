import type { CompletionEvent } from '../../completions/completion-event.js';
import type { AnswerSource, CompletionResult } from '../../completions/completion-result.js';
import type { GatewayError } from '../../core/gateway-error.js';
import { echoFor, type ProviderEcho, type ReasoningPart } from '../../core/messages.js';
import type { SseWriter } from '../sse-writer.js';
import { anthropicEcho } from './anthropic-content.js';
import { toAnthropicErrorBody } from './anthropic-error.js';
import {
  answeringModel,
  messageId,
  switchyardExtension,
  toAnthropicUsage,
  toStopReason,
  toThinkingBlock,
} from './anthropic-response.js';

type BlockKind = 'text' | 'thinking' | 'redacted_thinking' | 'tool_use';
type ToolCallDelta = Extract<CompletionEvent, { type: 'tool-call-delta' }>;

/**
 * Writes one answer as Anthropic's stream: `message_start` and a `ping`, then for each
 * content block `content_block_start`, its deltas and `content_block_stop`, then
 * `message_delta` (stop reason, usage) and `message_stop`. A block ends when a fragment of
 * another kind (or another tool call) arrives, as Anthropic's blocks follow one another.
 *
 * Usage is only known at the end, so `message_start` counts zero tokens and `message_delta`
 * carries every counter (the SDK's accumulated message takes them from there). A thinking
 * block's signature is sent as its last delta when the upstream streamed it (an Anthropic-format
 * upstream does); one known only from the finished answer goes on its block just before
 * `message_delta`, so a client that sends the message back hands it to an Anthropic upstream.
 */
export class AnthropicStreamEncoder {
  #index = -1;
  #open: { kind: BlockKind; tool?: number } | undefined;
  /** Block index of each tool call, by the call's index in the answer. */
  readonly #toolBlocks = new Map<number, number>();
  readonly #thinkingBlocks: number[] = [];
  /** Thinking blocks whose signature was streamed in place. */
  readonly #signed = new Set<number>();

  constructor(
    private readonly sse: SseWriter,
    private readonly requestId: string | undefined,
  ) {}

  #event(name: string, body: Record<string, unknown>): void {
    this.sse.writeNamed(name, { type: name, ...body });
  }

  /** `message_start` with an empty message, then a `ping`. */
  start(source: AnswerSource): void {
    this.#event('message_start', {
      message: {
        id: messageId(source),
        type: 'message',
        role: 'assistant',
        model: answeringModel(source),
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 0,
          output_tokens: 0,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
        },
      },
    });
    this.#event('ping', {});
  }

  #close(): void {
    if (!this.#open) return;
    this.#event('content_block_stop', { index: this.#index });
    this.#open = undefined;
  }

  #begin(kind: BlockKind, contentBlock: Record<string, unknown>, tool?: number): void {
    this.#close();
    this.#index += 1;
    this.#open = tool === undefined ? { kind } : { kind, tool };
    this.#event('content_block_start', { index: this.#index, content_block: contentBlock });
  }

  #delta(index: number, delta: Record<string, unknown>): void {
    this.#event('content_block_delta', { index, delta });
  }

  text(text: string): void {
    if (this.#open?.kind !== 'text') this.#begin('text', { type: 'text', text: '' });
    this.#delta(this.#index, { type: 'text_delta', text });
  }

  /**
   * A fragment of reasoning. Its provider's signature (when the answer comes from an
   * Anthropic-format upstream) closes the thinking block as Anthropic's own stream does, with
   * a `signature_delta`; redacted thinking is a block of its own.
   */
  reasoning(text: string, echo: ProviderEcho | undefined): void {
    const signed = echo && echoFor({ echo }, anthropicEcho);
    if (typeof signed?.redactedData === 'string') {
      this.#begin('redacted_thinking', { type: 'redacted_thinking', data: signed.redactedData });
      this.#close();
      return;
    }
    if (text) {
      if (this.#open?.kind !== 'thinking') {
        this.#begin('thinking', { type: 'thinking', thinking: '', signature: '' });
        this.#thinkingBlocks.push(this.#index);
      }
      this.#delta(this.#index, { type: 'thinking_delta', thinking: text });
    }
    if (typeof signed?.signature === 'string' && this.#open?.kind === 'thinking') {
      this.#delta(this.#index, { type: 'signature_delta', signature: signed.signature });
      this.#signed.add(this.#index);
      this.#close();
    }
  }

  /**
   * A fragment of a tool call. A fragment of a call whose block already ended (a provider
   * interleaving parallel calls) still goes to that call's index, so no argument is lost.
   */
  toolCall(event: ToolCallDelta): void {
    let index = this.#toolBlocks.get(event.index);
    if (index === undefined) {
      this.#begin(
        'tool_use',
        { type: 'tool_use', id: event.id ?? '', name: event.name ?? '', input: {} },
        event.index,
      );
      index = this.#index;
      this.#toolBlocks.set(event.index, index);
    }
    if (event.arguments.length > 0)
      this.#delta(index, { type: 'input_json_delta', partial_json: event.arguments });
  }

  /** The signatures, the last block's stop, `message_delta` and `message_stop`. */
  finish(completion: CompletionResult): void {
    const reasoning = completion.content.filter(
      (part): part is ReasoningPart => part.type === 'reasoning' && part.text !== '',
    );
    // Matched by position: the answer's reasoning parts are the streamed thinking blocks.
    if (reasoning.length === this.#thinkingBlocks.length) {
      for (const [position, part] of reasoning.entries()) {
        const block = toThinkingBlock(part);
        if (
          block.type === 'thinking' &&
          block.signature &&
          !this.#signed.has(this.#thinkingBlocks[position]!)
        )
          this.#delta(this.#thinkingBlocks[position]!, {
            type: 'signature_delta',
            signature: block.signature,
          });
      }
    }
    this.#close();
    this.#event('message_delta', {
      delta: { stop_reason: toStopReason(completion.finishReason), stop_sequence: null },
      usage: toAnthropicUsage(completion),
      switchyard: switchyardExtension(completion),
    });
    this.#event('message_stop', {});
  }

  /** Anthropic's in-stream `error` event; no `message_stop`, so the cut answer cannot pass for complete. */
  error(error: GatewayError): void {
    this.sse.writeNamed('error', toAnthropicErrorBody(error, this.requestId));
  }
}
