import type { TokenLogprob } from '../../core/logprobs.js';
import type { ProviderStreamPart } from '../provider.js';
import type { OpenAIChatDelta, OpenAILogprobs } from './openai-chat-chunk.js';
import { ToolCallTracker } from './openai-tool-calls.js';

type ToolCallPart = Extract<ProviderStreamPart, { type: 'tool-call-delta' }>;

/** A chunk's `logprobs.content` in our terms, or undefined when it has none (the common case). */
function tokenLogprobsOf(logprobs: OpenAILogprobs | null | undefined): TokenLogprob[] | undefined {
  const content = logprobs?.content;
  if (!content || content.length === 0) return undefined;
  return content.map((entry) => ({
    token: entry.token,
    logprob: entry.logprob,
    bytes: entry.bytes ?? null,
    topLogprobs: (entry.top_logprobs ?? []).map((top) => ({
      token: top.token,
      logprob: top.logprob,
      bytes: top.bytes ?? null,
    })),
  }));
}

/** The text of a delta's content, a string or Mistral's typed chunks. */
function textOf(content: OpenAIChatDelta['content']): string {
  if (typeof content === 'string' || !content) return content ?? '';
  let text = '';
  for (const chunk of content) if (chunk.type === 'text' && chunk.text) text += chunk.text;
  return text;
}

/**
 * The parts of one answer, as its chunks are parsed. The fragments of one network read
 * travel on as one part where they can (same text, less work downstream): consecutive text,
 * consecutive reasoning, and consecutive argument pieces of one tool call. Log probabilities
 * of coalesced text are joined in order, as the text is.
 */
export class AnswerParts {
  readonly pending: ProviderStreamPart[] = [];
  readonly toolCalls = new ToolCallTracker();
  /** Whether any text arrived (reasoning is not text). */
  sawText = false;
  /** OpenAI's refusal of a structured answer, if it sent one. */
  refusal = '';
  /** The other choices seen (`n` > 1), with their finish reason once it came. */
  readonly otherChoices = new Map<number, string | undefined>();

  /** Reads one chunk's delta of the answer (choice 0) into pending parts. */
  read(delta: OpenAIChatDelta, logprobs?: OpenAILogprobs | null): void {
    const reasoning = delta.reasoning_content || delta.reasoning;
    if (reasoning) this.#reasoning(reasoning);
    const content = delta.content;
    // Only a chunk that has them pays for log probabilities.
    let tokens = logprobs ? tokenLogprobsOf(logprobs) : undefined;
    if (typeof content === 'string') {
      if (content.length > 0) this.#text(content, tokens);
    } else if (content) {
      for (const chunk of content) {
        if (chunk.type === 'text' && chunk.text) {
          this.#text(chunk.text, tokens);
          tokens = undefined;
        } else if (chunk.type === 'thinking' && chunk.thinking)
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

  /**
   * Reads a chunk of another choice: its text and log probabilities only (the surface takes
   * no tools with several choices, and reasoning is not an answer), and its finish reason.
   */
  readChoice(
    choice: number,
    delta: OpenAIChatDelta | null | undefined,
    logprobs: OpenAILogprobs | null | undefined,
    finishReason: string | null | undefined,
  ): void {
    if (!this.otherChoices.has(choice) || finishReason)
      this.otherChoices.set(choice, finishReason ?? undefined);
    const text = delta ? textOf(delta.content) : '';
    if (text.length === 0) return;
    const tokens = tokenLogprobsOf(logprobs);
    const last = this.#last();
    if (last?.type === 'choice-delta' && last.choice === choice) {
      last.text += text;
      if (tokens) last.logprobs = last.logprobs ? last.logprobs.concat(tokens) : tokens;
    } else this.pending.push({ type: 'choice-delta', choice, text, logprobs: tokens });
  }

  #last(): ProviderStreamPart | undefined {
    return this.pending[this.pending.length - 1];
  }

  #text(text: string, tokens: TokenLogprob[] | undefined): void {
    this.sawText = true;
    const last = this.#last();
    if (last?.type === 'text-delta') {
      last.text += text;
      if (tokens) last.logprobs = last.logprobs ? last.logprobs.concat(tokens) : tokens;
    } else
      this.pending.push(
        tokens ? { type: 'text-delta', text, logprobs: tokens } : { type: 'text-delta', text },
      );
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
