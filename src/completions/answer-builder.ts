import type { TokenLogprob } from '../core/logprobs.js';
import type { ContentPart, ProviderEcho, ReasoningPart, ToolCallPart } from '../core/messages.js';
import type { ChoiceFinish } from '../providers/provider.js';
import type { AnswerChoice, CompletionResult } from './completion-result.js';

/**
 * Assembles an answer's content from its fragments, in the order they came: reasoning,
 * text and tool calls (each call's arguments joined by its index). Text stays a running
 * string too, since most answers are text only.
 */
export class AnswerBuilder {
  text = '';
  readonly #parts: ContentPart[] = [];
  readonly #calls = new Map<number, ToolCallPart>();
  /** The answer's token log probabilities, once any came. */
  #logprobs: TokenLogprob[] | undefined;
  /** The other choices' text and log probabilities, by choice number (from 1). */
  #choices: Map<number, { text: string; logprobs: TokenLogprob[] | undefined }> | undefined;

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

  addLogprobs(tokens: readonly TokenLogprob[]): void {
    this.#logprobs ??= [];
    for (const token of tokens) this.#logprobs.push(token);
  }

  addChoiceText(choice: number, text: string, tokens: readonly TokenLogprob[] | undefined): void {
    this.#choices ??= new Map();
    let found = this.#choices.get(choice);
    if (!found) {
      found = { text: '', logprobs: undefined };
      this.#choices.set(choice, found);
    }
    found.text += text;
    if (tokens) {
      found.logprobs ??= [];
      for (const token of tokens) found.logprobs.push(token);
    }
  }

  /**
   * What the request asked for beside the answer: its log probabilities (empty when none came)
   * and every other choice, from the finish's list and the text that came, in order.
   */
  extras(
    asked: { logprobs?: { top: number } | undefined },
    finishes: readonly ChoiceFinish[] | undefined,
  ): Pick<CompletionResult, 'logprobs' | 'otherChoices'> {
    const logprobs = asked.logprobs ? (this.#logprobs ?? []) : undefined;
    if (!finishes && !this.#choices) return logprobs ? { logprobs } : {};
    const numbers = new Set([...(finishes ?? []).map((end) => end.choice), ...(this.#choices?.keys() ?? [])]);
    const otherChoices = [...numbers]
      .sort((a, b) => a - b)
      .map((choice): AnswerChoice => {
        const found = this.#choices?.get(choice);
        return {
          choice,
          text: found?.text ?? '',
          logprobs: asked.logprobs ? (found?.logprobs ?? []) : undefined,
          finishReason: finishes?.find((end) => end.choice === choice)?.finishReason ?? 'other',
        };
      });
    return { ...(logprobs ? { logprobs } : {}), otherChoices };
  }

  get hasToolCalls(): boolean {
    return this.#calls.size > 0;
  }

  /** The content so far; an answer with no part at all is one empty text part. */
  content(): ContentPart[] {
    return this.#parts.length > 0 ? this.#parts : [{ type: 'text', text: '' }];
  }
}
