import type { LanguageModelV3StreamPart, SharedV3ProviderMetadata } from '@ai-sdk/provider';
import type { ProviderEcho } from '../../core/messages.js';
import { UpstreamError } from '../../core/upstream-error.js';
import { classifyUpstreamError } from '../classify-upstream-error.js';
import { mapFinishReason } from '../map-finish-reason.js';
import type { ProviderStreamPart, WebSource } from '../provider.js';
import type { EchoTarget } from './convert-messages.js';
import { convertUsage } from './convert-usage.js';
import type { NativeSearchSetup } from './native-search-setup.js';
import { ToolCallFragments } from './tool-call-fragments.js';
import { pickEcho } from './upstream-dialect.js';

export interface StreamPartAdapterOptions
  extends Pick<NativeSearchSetup, 'completesWithoutReason' | 'citedText'> {
  /** Whose echoes to keep (signatures…), or undefined when nothing goes back to this provider. */
  echo?: EchoTarget | undefined;
}

type WithMetadata = { providerMetadata?: SharedV3ProviderMetadata | undefined };

/** One reasoning block's echo state: the echo its start carried, and the one passed on last. */
interface ReasoningBlock {
  pending: ProviderEcho | undefined;
  echoed: string | undefined;
}

/**
 * Turns the AI SDK's stream parts into ours, one part at a time. It holds the rule that
 * an answer is complete only when the upstream says so: an AI SDK `finish` without the
 * upstream's own finish reason (a stream that just stopped) is an `incomplete` error.
 * Reasoning and tool calls come as fragments, each with the provider's opaque data to echo
 * (a signature) on the fragment where the SDK reports it, once.
 * Returns the part to yield, `'final'` after it when the stream is over, or undefined to skip.
 */
export class StreamPartAdapter {
  /** Text or a tool call came: the answer has something to show. */
  #sawAnswer = false;
  /** Native search's pages by URL, in order of first appearance. */
  readonly #sources = new Map<string, WebSource>();
  readonly #reasoning = new Map<string, ReasoningBlock>();
  readonly #toolCalls: ToolCallFragments;

  /** The search setup's rules for its upstream's stream, when searching natively, and what to echo. */
  constructor(private readonly options: StreamPartAdapterOptions = {}) {
    this.#toolCalls = new ToolCallFragments((part) => this.#echoOf(part as WithMetadata, 'toolCall'));
  }

  adapt(part: LanguageModelV3StreamPart): { part: ProviderStreamPart; final: boolean } | undefined {
    const fragment = this.#fragment(part);
    if (fragment) return { part: fragment, final: false };
    switch (part.type) {
      case 'text-delta':
        if (part.delta.length === 0) return undefined;
        this.#sawAnswer = true;
        return { part: { type: 'text-delta', text: part.delta }, final: false };
      case 'error':
        return { part: { type: 'error', error: classifyUpstreamError(part.error, 'stream') }, final: true };
      case 'finish':
        return { part: this.#finish(part), final: true };
      case 'source':
        if (part.sourceType === 'url')
          this.#addSource(part.url, part.title, this.options.citedText?.(part.providerMetadata));
        return undefined;
      default:
        return undefined;
    }
  }

  /** A reasoning or tool-call fragment, or undefined for any other part (or one with nothing new). */
  #fragment(part: LanguageModelV3StreamPart): ProviderStreamPart | undefined {
    switch (part.type) {
      case 'reasoning-start':
        this.#reasoning.set(part.id, { pending: this.#echoOf(part, 'reasoning'), echoed: undefined });
        return undefined;
      case 'reasoning-delta':
        return this.#reasoningFragment(part.id, part.delta, part);
      case 'reasoning-end': {
        const fragment = this.#reasoningFragment(part.id, '', part);
        this.#reasoning.delete(part.id);
        return fragment;
      }
      case 'tool-input-start':
        return this.#answered(this.#toolCalls.start(part));
      case 'tool-input-delta':
        return this.#toolCalls.delta(part);
      case 'tool-call':
        return this.#answered(this.#toolCalls.call(part));
      default:
        return undefined;
    }
  }

  /** Reasoning text, with the block's echo where it first arrives (a redacted block: at its end). */
  #reasoningFragment(id: string, text: string, part: WithMetadata): ProviderStreamPart | undefined {
    let block = this.#reasoning.get(id);
    if (!block) {
      block = { pending: undefined, echoed: undefined };
      this.#reasoning.set(id, block);
    }
    let echo = this.#echoOf(part, 'reasoning') ?? block.pending;
    block.pending = undefined;
    if (echo) {
      const json = JSON.stringify(echo.data);
      if (json === block.echoed) echo = undefined;
      else block.echoed = json;
    }
    if (text.length === 0 && !echo) return undefined;
    return { type: 'reasoning-delta', text, ...(echo ? { echo } : {}) };
  }

  #answered(fragment: ProviderStreamPart | undefined): ProviderStreamPart | undefined {
    if (fragment) this.#sawAnswer = true;
    return fragment;
  }

  #echoOf(part: WithMetadata, kind: 'reasoning' | 'toolCall'): ProviderEcho | undefined {
    const target = this.options.echo;
    if (!target) return undefined;
    const data = pickEcho(part.providerMetadata, target.keys.key, target.keys[kind]);
    return data ? { provider: target.provider, data } : undefined;
  }

  /** The stream closed without a finish part. */
  ended(): ProviderStreamPart {
    return {
      type: 'error',
      error: new UpstreamError({
        kind: 'incomplete',
        message: 'the upstream stream ended without finishing',
      }),
    };
  }

  #finish(part: Extract<LanguageModelV3StreamPart, { type: 'finish' }>): ProviderStreamPart {
    const { unified, raw } = part.finishReason;
    const completeWithoutReason = this.options.completesWithoutReason === true && unified === 'stop';
    if (unified === 'error' || (raw === undefined && !completeWithoutReason)) {
      return {
        type: 'error',
        error: new UpstreamError({
          kind: 'incomplete',
          message: 'the upstream stream ended without a finish reason',
        }),
      };
    }
    // A refusal with nothing to show (no text, no call): fail so that the router can try another model.
    if (unified === 'content-filter' && !this.#sawAnswer) {
      return {
        type: 'error',
        error: new UpstreamError({
          kind: 'content_filtered',
          message: `the upstream withheld the answer (${raw ?? unified})`,
        }),
      };
    }
    return {
      type: 'finish',
      finishReason: mapFinishReason(unified),
      usage: convertUsage(part.usage),
      ...(this.#sources.size > 0 ? { sources: [...this.#sources.values()] } : {}),
    };
  }

  /** A page cited again keeps its place; a later mention may fill in its title or cited text. */
  #addSource(url: string, title: string | undefined, snippet: string | undefined): void {
    const known = this.#sources.get(url);
    if (!known) {
      this.#sources.set(url, { url, title: title ?? '', snippet: snippet ?? '' });
      return;
    }
    if (!known.title && title) known.title = title;
    if (!known.snippet && snippet) known.snippet = snippet;
  }
}
