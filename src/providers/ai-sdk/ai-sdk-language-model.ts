import type { LanguageModelV3, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { UpstreamError } from '../../core/upstream-error.js';
import { classifyUpstreamError } from '../classify-upstream-error.js';
import type { LanguageModel, ModelCall, ProviderStreamPart } from '../provider.js';
import { StreamPartAdapter } from './adapt-stream.js';
import { convertMessages } from './convert-messages.js';

export interface AiSdkLanguageModelOptions {
  /** Our provider name (`openai`, `acme`…). */
  provider: string;
  model: string;
  upstream: LanguageModelV3;
  /** Longest silence tolerated once the upstream stream is open. */
  stallTimeoutMs: number;
}

/** Why our own stall timer aborted the request. */
class StallAbort extends Error {
  override readonly name = 'StallAbort';
}

/**
 * One model behind an AI SDK provider, driven through `doStream` only: we always stream
 * from the upstream (time to first token is measured on every request) and retry nothing
 * here (that is the router's job).
 */
export class AiSdkLanguageModel implements LanguageModel {
  readonly provider: string;
  readonly model: string;
  readonly #upstream: LanguageModelV3;
  readonly #stallTimeoutMs: number;

  constructor(options: AiSdkLanguageModelOptions) {
    this.provider = options.provider;
    this.model = options.model;
    this.#upstream = options.upstream;
    this.#stallTimeoutMs = options.stallTimeoutMs;
  }

  async *stream(call: ModelCall): AsyncIterable<ProviderStreamPart> {
    const stall = new AbortController();
    const signal = AbortSignal.any([call.signal, stall.signal]);
    let reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const failure = (error: unknown, phase: 'request' | 'stream'): ProviderStreamPart => ({
      type: 'error',
      error: this.#abortFailure(call.signal, stall.signal) ?? classifyUpstreamError(error, phase),
    });
    try {
      try {
        const result = await this.#upstream.doStream({
          prompt: convertMessages(call.messages),
          temperature: call.temperature,
          maxOutputTokens: call.maxTokens,
          abortSignal: signal,
        });
        reader = result.stream.getReader();
      } catch (error) {
        finished = true;
        yield failure(error, 'request');
        return;
      }
      const adapter = new StreamPartAdapter();
      while (true) {
        let next: ReadableStreamReadResult<LanguageModelV3StreamPart>;
        // Armed only while waiting for the upstream: a slow consumer is not a stalled upstream.
        timer = setTimeout(
          () => stall.abort(new StallAbort(`no data for ${this.#stallTimeoutMs} ms`)),
          this.#stallTimeoutMs,
        );
        try {
          next = await reader.read();
        } catch (error) {
          finished = true;
          yield failure(error, 'stream');
          return;
        }
        if (next.done) {
          finished = true;
          yield this.#abortFailure(call.signal, stall.signal)
            ? failure(undefined, 'stream')
            : adapter.ended();
          return;
        }
        clearTimeout(timer);
        const adapted = adapter.adapt(next.value);
        if (!adapted) continue;
        if (adapted.final) finished = true;
        yield adapted.part;
        if (adapted.final) return;
      }
    } finally {
      clearTimeout(timer);
      // Stopped early (final part, or our consumer went away): release the connection.
      if (reader) reader.cancel().catch(() => {});
      if (!finished) stall.abort(new StallAbort('the consumer stopped reading'));
    }
  }

  /** The failure to report when the request was aborted, by our caller or by the stall timer. */
  #abortFailure(callSignal: AbortSignal, stallSignal: AbortSignal): UpstreamError | undefined {
    if (callSignal.aborted) {
      // The caller may say why (the router passes a typed reason); otherwise a time limit or a
      // departed client cut the request short.
      const reason: unknown = callSignal.reason;
      return reason instanceof UpstreamError
        ? reason
        : new UpstreamError({
            kind: 'timeout',
            message: 'the upstream request was aborted before it finished',
          });
    }
    if (stallSignal.aborted) {
      return new UpstreamError({
        kind: 'timeout',
        message: `the upstream stream stalled: no data for ${this.#stallTimeoutMs} ms`,
      });
    }
    return undefined;
  }
}
