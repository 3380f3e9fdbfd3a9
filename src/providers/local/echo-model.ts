import { type ChatMessage, textOf } from '../../core/messages.js';
import { countMessageTokens, countTokens } from '../../core/token-count.js';
import { takesEverySamplingHint } from '../parameter-support.js';
import type { LanguageModel, ModelCall, ProviderStreamPart } from '../provider.js';

const lastUserText = (messages: readonly ChatMessage[]): string => {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === 'user') return textOf(message);
  }
  return '';
};

/** `local/echo`: streams back the last user message word by word, at zero cost. */
export class EchoModel implements LanguageModel {
  readonly provider = 'local';
  readonly model = 'echo';
  /** It samples nothing, so every hint is taken (and changes nothing). */
  readonly parameterSupport = takesEverySamplingHint;

  async *stream(call: ModelCall): AsyncIterable<ProviderStreamPart> {
    const text = lastUserText(call.messages);
    // Words keep their trailing whitespace so the fragments join back into the input.
    for (const word of text.match(/\S+\s*|\s+/g) ?? []) {
      if (call.signal.aborted) return;
      yield { type: 'text-delta', text: word };
    }
    yield {
      type: 'finish',
      finishReason: 'stop',
      usage: {
        promptTokens: countMessageTokens(call.messages),
        completionTokens: countTokens(text),
        reasoningTokens: 0,
        cachedTokens: 0,
        estimated: false,
      },
    };
  }
}
