import type { LanguageModelV3, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { abortFailure } from '../abort-failure.js';
import { classifyUpstreamError } from '../classify-upstream-error.js';
import { noNativeSearch } from '../no-native-search.js';
import type { LanguageModel, ModelCall, ProviderStreamPart } from '../provider.js';
import { StreamPartAdapter } from './adapt-stream.js';
import { convertMessages } from './convert-messages.js';
import type { NativeSearchSetup } from './native-search-setup.js';

export interface AiSdkLanguageModelOptions {
  /** Our provider name (`openai`, `acme`…). */
  provider: string;
  model: string;
  upstream: LanguageModelV3;
  /** How this model searches natively; absent when its provider offers no search of its own. */
  search?: NativeSearchSetup | undefined;
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
  readonly #search: NativeSearchSetup | undefined;

  constructor(options: AiSdkLanguageModelOptions) {
    this.provider = options.provider;
    this.model = options.model;
    this.#upstream = options.upstream;
    this.#search = options.search;
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
    try {
      try {
        const upstream = search?.upstream ?? this.#upstream;
        const result = await upstream.doStream({
          prompt: convertMessages(call.messages),
          temperature: call.temperature,
          maxOutputTokens: call.maxTokens,
          abortSignal: call.signal,
          ...(search ? { tools: search.tools } : {}),
        });
        reader = result.stream.getReader();
      } catch (error) {
        yield failure(error, 'request');
        return;
      }
      const adapter = new StreamPartAdapter(search);
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
