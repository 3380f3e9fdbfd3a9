import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { UpstreamError } from '../../core/upstream-error.js';
import { classifyUpstreamError } from '../classify-upstream-error.js';
import { mapFinishReason } from '../map-finish-reason.js';
import type { ProviderStreamPart, WebSource } from '../provider.js';
import { convertUsage } from './convert-usage.js';
import type { NativeSearchSetup } from './native-search-setup.js';

/**
 * Turns the AI SDK's stream parts into ours, one part at a time. It holds the rule that
 * an answer is complete only when the upstream says so: an AI SDK `finish` without the
 * upstream's own finish reason (a stream that just stopped) is an `incomplete` error.
 * Returns the part to yield, `'final'` after it when the stream is over, or undefined to skip.
 */
export class StreamPartAdapter {
  #sawText = false;
  /** Native search's pages by URL, in order of first appearance. */
  readonly #sources = new Map<string, WebSource>();

  /** The search setup's rules for its upstream's stream, when searching natively. */
  constructor(
    private readonly options: Pick<NativeSearchSetup, 'completesWithoutReason' | 'citedText'> = {},
  ) {}

  adapt(part: LanguageModelV3StreamPart): { part: ProviderStreamPart; final: boolean } | undefined {
    switch (part.type) {
      case 'text-delta':
        if (part.delta.length === 0) return undefined;
        this.#sawText = true;
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
    // A refusal with nothing to show: fail so that the router can try another model.
    if (unified === 'content-filter' && !this.#sawText) {
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
