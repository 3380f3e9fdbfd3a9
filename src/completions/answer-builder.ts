import type { ContentPart, ProviderEcho, ReasoningPart, ToolCallPart } from '../core/messages.js';

/**
 * Assembles an answer's content from its fragments, in the order they came: reasoning,
 * text and tool calls (each call's arguments joined by its index). Text stays a running
 * string too, since most answers are text only.
 */
export class AnswerBuilder {
  text = '';
  readonly #parts: ContentPart[] = [];
  readonly #calls = new Map<number, ToolCallPart>();

  addText(text: string): void {
    this.text += text;
    const last = this.#parts[this.#parts.length - 1];
    if (last?.type === 'text') last.text += text;
    else this.#parts.push({ type: 'text', text });
  }

  /** A reasoning block ends when another part starts or its provider signs it. */
  addReasoning(text: string, echo: ProviderEcho | undefined): void {
    const last = this.#parts[this.#parts.length - 1];
    let part: ReasoningPart;
    if (last?.type === 'reasoning' && !last.echo) part = last;
    else {
      part = { type: 'reasoning', text: '' };
      this.#parts.push(part);
    }
    part.text += text;
    if (echo) part.echo = echo;
  }

  addToolCall(fragment: {
    index: number;
    id: string | undefined;
    name: string | undefined;
    arguments: string;
    echo: ProviderEcho | undefined;
  }): void {
    let call = this.#calls.get(fragment.index);
    if (!call) {
      call = { type: 'tool_call', id: '', name: '', arguments: '' };
      this.#calls.set(fragment.index, call);
      this.#parts.push(call);
    }
    if (fragment.id) call.id = fragment.id;
    if (fragment.name) call.name = fragment.name;
    call.arguments += fragment.arguments;
    if (fragment.echo) call.echo = fragment.echo;
  }

  get hasToolCalls(): boolean {
    return this.#calls.size > 0;
  }

  /** The content so far; an answer with no part at all is one empty text part. */
  content(): ContentPart[] {
    return this.#parts.length > 0 ? this.#parts : [{ type: 'text', text: '' }];
  }
}
