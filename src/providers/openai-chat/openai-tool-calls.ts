import { randomUUID } from 'node:crypto';
import type { ProviderStreamPart } from '../provider.js';
import type { OpenAIToolCallDelta } from './openai-chat-chunk.js';

type ToolCallDeltaPart = Extract<ProviderStreamPart, { type: 'tool-call-delta' }>;

interface TrackedCall {
  /** Ours: the order of first appearance, from 0. */
  index: number;
  id: string;
  named: boolean;
}

/**
 * The tool calls of one streamed answer, as their fragments arrive. OpenAI numbers the
 * calls by `index` and sends `id` and name only on a call's first fragment; compatible
 * servers vary: some repeat the id on later fragments, some send a whole call in one
 * fragment, some number every call 0 and tell them apart by id, some send no index at all.
 */
export class ToolCallTracker {
  readonly #byIndex = new Map<number, TrackedCall>();
  readonly #byId = new Map<string, TrackedCall>();
  #last: TrackedCall | undefined;
  #count = 0;

  /** How many calls the answer has made so far. */
  get count(): number {
    return this.#count;
  }

  /** The part for one fragment, or `undefined` when it carries nothing new. */
  fragment(delta: OpenAIToolCallDelta): ToolCallDeltaPart | undefined {
    const id = delta.id || undefined;
    const name = delta.function?.name || undefined;
    const args = delta.function?.arguments ?? '';
    let call: TrackedCall | undefined;
    if (delta.index !== undefined && delta.index !== null) {
      call = this.#byIndex.get(delta.index);
      // A known index with a new id and a name is a new call (servers that number every call 0).
      if (call !== undefined && id !== undefined && id !== call.id && name !== undefined) call = undefined;
    } else {
      call = id === undefined ? this.#last : this.#byId.get(id);
    }
    const first = call === undefined;
    if (call === undefined) {
      call = { index: this.#count++, id: id ?? `call_${randomUUID().replaceAll('-', '')}`, named: false };
      this.#byId.set(call.id, call);
    }
    if (delta.index !== undefined && delta.index !== null) this.#byIndex.set(delta.index, call);
    this.#last = call;
    const naming = name !== undefined && !call.named;
    if (naming) call.named = true;
    if (!first && !naming && args.length === 0) return undefined;
    return {
      type: 'tool-call-delta',
      index: call.index,
      ...(first ? { id: call.id } : {}),
      ...(naming ? { name } : {}),
      arguments: args,
    };
  }
}
