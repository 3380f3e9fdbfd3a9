import type { LanguageModelV3, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import type { DroppedParameter, GenerationOptions, ParameterSupport } from '../../core/generation-options.js';
import { abortFailure } from '../abort-failure.js';
import { classifyUpstreamError } from '../classify-upstream-error.js';
import { noNativeSearch } from '../no-native-search.js';
import type { LanguageModel, ModelCall, ProviderStreamPart } from '../provider.js';
import { StreamPartAdapter } from './adapt-stream.js';
import { convertCallOptions } from './convert-call-options.js';
import type { NativeSearchSetup } from './native-search-setup.js';
import type { UpstreamDialect } from './upstream-dialect.js';

export interface AiSdkLanguageModelOptions {
  /** Our provider name (`openai`, `acme`…). */
  provider: string;
  model: string;
  upstream: LanguageModelV3;
  /** How this model searches natively; absent when its provider offers no search of its own. */
  search?: NativeSearchSetup | undefined;
  /** What this wire format takes and needs beyond what its SDK provider translates. */
  dialect: UpstreamDialect;
}

/**
 * One model behind an AI SDK provider, driven through `doStream` only: we always stream
 * from the upstream (time to first token is measured on every request) and retry nothing
 * here (that is the router's job).
 */
export class AiSdkLanguageModel implements LanguageModel {
  readonly provider: string;
  readonly model: string;
  readonly parameterSupport: ParameterSupport;
  readonly continuesPrefill: boolean;
  readonly #upstream: LanguageModelV3;
  readonly #search: NativeSearchSetup | undefined;
  readonly #dialect: UpstreamDialect;

  constructor(options: AiSdkLanguageModelOptions) {
    this.provider = options.provider;
    this.model = options.model;
    this.#upstream = options.upstream;
    this.#search = options.search;
    this.#dialect = options.dialect;
    this.parameterSupport = options.dialect.parameterSupport;
    this.continuesPrefill = options.dialect.continuesPrefill === true;
  }

  /**
   * The options without the sampling hints this provider cannot take in this combination
   * (Anthropic: temperature, top_k and top_p while thinking; top_p beside temperature), and
   * why. `stream` applies it too; the router may call it to report what was dropped.
   */
  fitCall(options: GenerationOptions): { options: GenerationOptions; dropped: DroppedParameter[] } {
    return this.#dialect.fitCall(options);
  }

  async *stream(call: ModelCall): AsyncIterable<ProviderStreamPart> {
    // Deadlines and stalls are the router's: it aborts `call.signal`, with a typed reason.
    let reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart> | undefined;
    const failure = (error: unknown, phase: 'request' | 'stream'): ProviderStreamPart => ({
      type: 'error',
      error: abortFailure(call.signal) ?? classifyUpstreamError(error, phase),
    });
    const search = call.search ? this.#search : undefined;
    if (call.search && !search) {
      yield noNativeSearch(this.provider);
      return;
    }
    const fitted = this.#dialect.fitCall(call).options;
    const refusal = this.#dialect.refusal(fitted, search !== undefined);
    if (refusal) {
      yield { type: 'error', error: refusal };
      return;
    }
    const echo = this.#dialect.echo;
    try {
      try {
        const upstream = search?.upstream ?? this.#upstream;
        const result = await upstream.doStream(
          convertCallOptions(fitted, this.provider, this.#dialect, search?.tools),
        );
        reader = result.stream.getReader();
      } catch (error) {
        yield failure(error, 'request');
        return;
      }
      const adapter = new StreamPartAdapter({
        ...search,
        echo: echo ? { provider: this.provider, keys: echo } : undefined,
      });
      while (true) {
        let next: ReadableStreamReadResult<LanguageModelV3StreamPart>;
        try {
          next = await reader.read();
        } catch (error) {
          yield failure(error, 'stream');
          return;
        }
        if (next.done) {
          yield call.signal.aborted ? failure(undefined, 'stream') : adapter.ended();
          return;
        }
        const adapted = adapter.adapt(next.value);
        if (!adapted) continue;
        yield adapted.part;
        if (adapted.final) return;
      }
    } finally {
      // Stopped early (final part, or our consumer went away): release the connection.
      if (reader) reader.cancel().catch(() => {});
    }
  }
}
