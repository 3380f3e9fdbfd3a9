import type { ProviderStreamPart } from '../provider.js';
import type { OpenAIChatDelta } from './openai-chat-chunk.js';
import { ToolCallTracker } from './openai-tool-calls.js';

type ToolCallPart = Extract<ProviderStreamPart, { type: 'tool-call-delta' }>;

/**
 * The parts of one answer, as its chunks are parsed. The fragments of one network read
 * travel on as one part where they can (same text, less work downstream): consecutive text,
 * consecutive reasoning, and consecutive argument pieces of one tool call.
 */
export class AnswerParts {
  readonly pending: ProviderStreamPart[] = [];
  readonly toolCalls = new ToolCallTracker();
  /** Whether any text arrived (reasoning is not text). */
  sawText = false;
  /** OpenAI's refusal of a structured answer, if it sent one. */
  refusal = '';

  /** Reads one chunk's delta into pending parts. */
  read(delta: OpenAIChatDelta): void {
    const reasoning = delta.reasoning_content || delta.reasoning;
    if (reasoning) this.#reasoning(reasoning);
    const content = delta.content;
    if (typeof content === 'string') {
      if (content.length > 0) this.#text(content);
    } else if (content) {
      for (const chunk of content) {
        if (chunk.type === 'text' && chunk.text) this.#text(chunk.text);
        else if (chunk.type === 'thinking' && chunk.thinking)
          for (const piece of chunk.thinking) if (piece.text) this.#reasoning(piece.text);
      }
    }
    if (delta.refusal) this.refusal += delta.refusal;
    if (delta.tool_calls) {
      for (const fragment of delta.tool_calls) {
        const part = this.toolCalls.fragment(fragment);
        if (part) this.#toolCall(part);
      }
    }
  }

  #last(): ProviderStreamPart | undefined {
    return this.pending[this.pending.length - 1];
  }

  #text(text: string): void {
    this.sawText = true;
    const last = this.#last();
    if (last?.type === 'text-delta') last.text += text;
    else this.pending.push({ type: 'text-delta', text });
  }

  #reasoning(text: string): void {
    const last = this.#last();
    if (last?.type === 'reasoning-delta') last.text += text;
    else this.pending.push({ type: 'reasoning-delta', text });
  }

  #toolCall(part: ToolCallPart): void {
    const last = this.#last();
    if (
      last?.type === 'tool-call-delta' &&
      last.index === part.index &&
      part.id === undefined &&
      part.name === undefined
    )
      last.arguments += part.arguments;
    else this.pending.push(part);
  }
}
