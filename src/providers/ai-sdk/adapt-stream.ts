import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { UpstreamError } from '../../core/upstream-error.js';
import { classifyUpstreamError } from '../classify-upstream-error.js';
import { mapFinishReason } from '../map-finish-reason.js';
import type { ProviderStreamPart } from '../provider.js';
import { convertUsage } from './convert-usage.js';

/**
 * Turns the AI SDK's stream parts into ours, one part at a time. It holds the rule that
 * an answer is complete only when the upstream says so: an AI SDK `finish` without the
 * upstream's own finish reason (a stream that just stopped) is an `incomplete` error.
 * Returns the part to yield, `'final'` after it when the stream is over, or undefined to skip.
 */
export class StreamPartAdapter {
  #sawText = false;

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
    if (unified === 'error' || raw === undefined) {
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
          message: `the upstream withheld the answer (${raw})`,
        }),
      };
    }
    return { type: 'finish', finishReason: mapFinishReason(unified), usage: convertUsage(part.usage) };
  }
}
