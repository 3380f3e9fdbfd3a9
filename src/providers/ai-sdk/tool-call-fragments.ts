import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import type { ProviderEcho } from '../../core/messages.js';
import type { ProviderStreamPart } from '../provider.js';

type ToolCallDelta = Extract<ProviderStreamPart, { type: 'tool-call-delta' }>;
type SdkPart<T extends LanguageModelV3StreamPart['type']> = Extract<LanguageModelV3StreamPart, { type: T }>;

interface CallState {
  index: number;
  /** The arguments text passed on so far. */
  streamed: string;
  /** The echo passed on last, as JSON, so that it goes once. */
  echoed: string | undefined;
}

/**
 * Turns the AI SDK's tool input parts (`tool-input-start` / `-delta` / `-end`, then one
 * `tool-call` with the whole input) into our `tool-call-delta` fragments: indexed by order of
 * first appearance, id and name on the first, each call passed on once. A `tool-call` that
 * came without input parts is one fragment with all of it; one whose input differs from what
 * was streamed (Anthropic's `{}` for a call without input) adds only what is missing.
 * Calls the provider executes itself (native search) are not ours: they are skipped.
 */
export class ToolCallFragments {
  readonly #calls = new Map<string, CallState>();
  readonly #providerExecuted = new Set<string>();

  /** @param echoOf the echo of a part's metadata, or undefined (nothing to send back). */
  constructor(private readonly echoOf: (part: { providerMetadata?: unknown }) => ProviderEcho | undefined) {}

  get count(): number {
    return this.#calls.size;
  }

  start(part: SdkPart<'tool-input-start'>): ToolCallDelta | undefined {
    if (part.providerExecuted) {
      this.#providerExecuted.add(part.id);
      return undefined;
    }
    if (this.#calls.has(part.id)) return undefined;
    const call = this.#open(part.id);
    return {
      type: 'tool-call-delta',
      index: call.index,
      id: part.id,
      name: part.toolName,
      arguments: '',
      ...this.#echo(call, part),
    };
  }

  delta(part: SdkPart<'tool-input-delta'>): ToolCallDelta | undefined {
    const call = this.#calls.get(part.id);
    if (!call || part.delta.length === 0) return undefined;
    call.streamed += part.delta;
    return { type: 'tool-call-delta', index: call.index, arguments: part.delta, ...this.#echo(call, part) };
  }

  call(part: SdkPart<'tool-call'>): ToolCallDelta | undefined {
    if (part.providerExecuted || this.#providerExecuted.has(part.toolCallId)) return undefined;
    const known = this.#calls.get(part.toolCallId);
    if (!known) {
      const call = this.#open(part.toolCallId);
      call.streamed = part.input;
      return {
        type: 'tool-call-delta',
        index: call.index,
        id: part.toolCallId,
        name: part.toolName,
        arguments: part.input,
        ...this.#echo(call, part),
      };
    }
    const rest = part.input.startsWith(known.streamed) ? part.input.slice(known.streamed.length) : '';
    const echo = this.#echo(known, part);
    if (rest.length === 0 && !echo.echo) return undefined;
    known.streamed += rest;
    return { type: 'tool-call-delta', index: known.index, arguments: rest, ...echo };
  }

  #open(id: string): CallState {
    const call: CallState = { index: this.#calls.size, streamed: '', echoed: undefined };
    this.#calls.set(id, call);
    return call;
  }

  /** The part's echo when it differs from the one passed on last for this call. */
  #echo(call: CallState, part: { providerMetadata?: unknown }): { echo?: ProviderEcho } {
    const echo = this.echoOf(part);
    if (!echo) return {};
    const json = JSON.stringify(echo.data);
    if (json === call.echoed) return {};
    call.echoed = json;
    return { echo };
  }
}
