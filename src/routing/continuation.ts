import type { ChatMessage } from '../core/messages.js';

/** How a cut answer is handed to the next model (SPEC §9). */
export type ContinuationForm = 'prefill' | 'instruction';

const instruction =
  'Your previous answer was cut off. Continue it exactly where it stopped: do not repeat any of it, do not comment, just go on.';

/**
 * The conversation plus the partial answer: as an assistant prefill, which the model
 * continues (Anthropic), or as an assistant turn and a short instruction. A prefill may not
 * end in whitespace (Anthropic refuses it); the overlap trimmer takes care of the join.
 */
export function continuationMessages(
  messages: readonly ChatMessage[],
  sent: string,
  form: ContinuationForm,
): ChatMessage[] {
  if (form === 'prefill')
    return [...messages, { role: 'assistant', content: [{ type: 'text', text: sent.trimEnd() }] }];
  return [
    ...messages,
    { role: 'assistant', content: [{ type: 'text', text: sent }] },
    { role: 'user', content: [{ type: 'text', text: instruction }] },
  ];
}

/** The least repeated text that counts as overlap: shorter matches are taken as chance. */
const minimumOverlap = 3;
/** Only the end of the answer can be repeated. */
const tailLength = 400;

/**
 * Removes from a continuation's start what the client already has. Models told to go on
 * often restart the last words or sentence: the continuation's text is held back while it
 * could still be such a repeat (it is a piece of the answer's tail), then the longest prefix
 * that the answer already ends with is cut off.
 */
export class OverlapTrimmer {
  readonly #tail: string;
  #held = '';
  #decided = false;

  constructor(sent: string) {
    // A prefill dropped the answer's trailing whitespace: the model may send it again.
    this.#tail = sent.slice(-tailLength);
  }

  /** The text to send now (possibly empty while undecided). */
  push(text: string): string {
    if (this.#decided) return text;
    this.#held += text;
    if (this.#held.length < this.#tail.length && this.#tail.includes(this.#held)) return '';
    return this.#decide();
  }

  /** The continuation ended (or something else than text came): release what was held. */
  flush(): string {
    return this.#decided ? '' : this.#decide();
  }

  #decide(): string {
    this.#decided = true;
    const held = this.#held;
    this.#held = '';
    for (let length = Math.min(held.length, this.#tail.length); length >= minimumOverlap; length--) {
      if (this.#tail.endsWith(held.slice(0, length))) return held.slice(length);
    }
    // The whitespace a prefill dropped, sent again.
    const trimmed = this.#tail.trimEnd();
    if (trimmed.length < this.#tail.length && held.startsWith(this.#tail.slice(trimmed.length)))
      return held.slice(this.#tail.length - trimmed.length);
    return held;
  }
}
