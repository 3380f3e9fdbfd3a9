import type { CompletionEvent } from '../../completions/completion-event.js';
import type { AnswerSource, CompletionResult } from '../../completions/completion-result.js';
import type { ChoiceFragmentEvent } from '../../completions/deliver-completion.js';
import type { TokenLogprob } from '../../core/logprobs.js';
import { searchedNatively } from '../../search/citation.js';
import {
  answeringModel,
  chatCompletionId,
  switchyardExtension,
  toOpenAIFinishReason,
  toOpenAILogprobs,
  toOpenAIUsage,
} from './chat-completion-response.js';
import { toUrlCitations } from './url-citations.js';

/** A fragment of a tool call: id and name on the first fragment of each call. */
export type ToolCallFragment = Extract<CompletionEvent, { type: 'tool-call-delta' }>;

/**
 * OpenAI's `delta.tool_calls` entry: `{index, id, type, function: {name, arguments}}` on a
 * call's first fragment, `{index, function: {arguments}}` on the others.
 */
const toolCallDelta = (fragment: ToolCallFragment) => ({
  index: fragment.index,
  ...(fragment.id === undefined ? {} : { id: fragment.id, type: 'function' }),
  function: {
    ...(fragment.name === undefined ? {} : { name: fragment.name }),
    arguments: fragment.arguments,
  },
});

/**
 * Serialises the `chat.completion.chunk` events of one answer, in OpenAI's order: a
 * chunk with the role, content, reasoning and tool call deltas, a chunk with the finish
 * reason, and (with `include_usage`) a usage chunk with no choices. Every chunk but the
 * usage one carries `"usage":null` when usage was asked for, as OpenAI's do. Delta chunks
 * are built from a prefix encoded once per answer, since only the delta changes between them.
 */
export class ChatChunkEncoder {
  #source: AnswerSource | undefined;
  /** The chunk up to the choice's index. */
  #head = '';
  #prefix = '';
  readonly #usageNull: string;
  readonly #suffix: string;
  /** The other choices whose first chunk (with the role) was sent. */
  readonly #choicesOpened = new Set<number>();

  constructor(
    private readonly created: number,
    private readonly includeUsage: boolean,
  ) {
    this.#usageNull = includeUsage ? ',"usage":null' : '';
    this.#suffix = `,"logprobs":null,"finish_reason":null}]${this.#usageNull}}`;
  }

  /** The end of a delta chunk: `null` log probabilities, or OpenAI's `{content, refusal}` of these tokens. */
  #tail(logprobs: readonly TokenLogprob[] | undefined): string {
    if (logprobs === undefined) return this.#suffix;
    return `,"logprobs":${JSON.stringify(toOpenAILogprobs(logprobs))},"finish_reason":null}]${this.#usageNull}}`;
  }

  #header(source: AnswerSource) {
    return {
      id: chatCompletionId(source),
      object: 'chat.completion.chunk',
      created: this.created,
      model: answeringModel(source),
      system_fingerprint: null,
    };
  }

  #prefixFor(source: AnswerSource): string {
    if (source !== this.#source) {
      this.#source = source;
      this.#head = `${JSON.stringify(this.#header(source)).slice(0, -1)},"choices":[{"index":`;
      this.#prefix = `${this.#head}0,"delta":`;
    }
    return this.#prefix;
  }

  /** The first chunk: its `content` is `""` before text, `null` before reasoning or tool calls, as OpenAI's. */
  role(source: AnswerSource, beforeText: boolean): string {
    const content = beforeText ? '""' : 'null';
    return `${this.#prefixFor(source)}{"role":"assistant","content":${content},"refusal":null}${this.#suffix}`;
  }

  text(text: string, source: AnswerSource, logprobs?: readonly TokenLogprob[] | undefined): string {
    return `${this.#prefixFor(source)}{"content":${JSON.stringify(text)}}${this.#tail(logprobs)}`;
  }

  /** Another choice's text as its own `choices[0].index`; its first chunk carries the role, as OpenAI's. */
  choice(event: ChoiceFragmentEvent): string {
    this.#prefixFor(event.source);
    const role = this.#openChoice(event.choice) ? '"role":"assistant",' : '';
    return `${this.#head}${event.choice},"delta":{${role}"content":${JSON.stringify(event.text)}}${this.#tail(event.logprobs)}`;
  }

  /** Whether this is the choice's first chunk. */
  #openChoice(choice: number): boolean {
    if (this.#choicesOpened.has(choice)) return false;
    this.#choicesOpened.add(choice);
    return true;
  }

  /** The finish chunk of each other choice, sent before the answer's own (a choice with no text gets its role there). */
  otherFinishes(completion: CompletionResult): string[] {
    return (completion.otherChoices ?? []).map((other) =>
      JSON.stringify({
        ...this.#header(completion),
        choices: [
          {
            index: other.choice,
            delta: this.#openChoice(other.choice) ? { role: 'assistant', content: '' } : {},
            logprobs: null,
            finish_reason: toOpenAIFinishReason(other.finishReason),
          },
        ],
        ...(this.includeUsage ? { usage: null } : {}),
      }),
    );
  }

  /** Reasoning as `delta.reasoning_content`, the field DeepSeek and OpenRouter stream it in. */
  reasoning(text: string, source: AnswerSource): string {
    return `${this.#prefixFor(source)}{"reasoning_content":${JSON.stringify(text)}}${this.#suffix}`;
  }

  toolCall(fragment: ToolCallFragment): string {
    return `${this.#prefixFor(fragment.source)}{"tool_calls":[${JSON.stringify(toolCallDelta(fragment))}]}${this.#suffix}`;
  }

  finish(completion: CompletionResult): string {
    const annotations = toUrlCitations(
      completion.text,
      completion.citations,
      searchedNatively(completion.search),
    );
    return JSON.stringify({
      ...this.#header(completion),
      choices: [
        {
          index: 0,
          // The markers are only all known at the end, so the annotations ride the last chunk.
          delta: annotations.length > 0 ? { annotations } : {},
          logprobs: null,
          finish_reason: toOpenAIFinishReason(completion.finishReason),
        },
      ],
      ...(this.includeUsage ? { usage: null } : {}),
      switchyard: switchyardExtension(completion),
    });
  }

  usage(completion: CompletionResult): string {
    return JSON.stringify({ ...this.#header(completion), choices: [], usage: toOpenAIUsage(completion) });
  }
}
