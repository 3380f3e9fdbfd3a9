import { UpstreamError } from '../../core/upstream-error.js';
import { takesEverySamplingHint } from '../parameter-support.js';
import type { LanguageModel, Provider, ProviderStreamPart } from '../provider.js';
import { EchoModel } from './echo-model.js';

class UnknownLocalModel implements LanguageModel {
  readonly provider = 'local';
  readonly parameterSupport = takesEverySamplingHint;
  constructor(readonly model: string) {}

  async *stream(): AsyncIterable<ProviderStreamPart> {
    yield {
      type: 'error',
      error: new UpstreamError({
        kind: 'not_found',
        status: 404,
        message: `local has no model "${this.model}"`,
      }),
    };
  }
}

/** The built-in provider that needs no key and reaches no network. */
export const localProvider: Provider = {
  name: 'local',
  configured: true,
  languageModel: (model) => (model === 'echo' ? new EchoModel() : new UnknownLocalModel(model)),
};
