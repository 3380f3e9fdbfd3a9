import type { ModelInfo } from '../../src/catalog/model-info.js';
import { UpstreamError, type UpstreamErrorInit } from '../../src/core/upstream-error.js';
import type { Usage } from '../../src/core/usage.js';
import { takesEverySamplingHint } from '../../src/providers/parameter-support.js';
import type { LanguageModel, ModelCall, ProviderStreamPart } from '../../src/providers/provider.js';
import type { Clock } from '../../src/routing/clock.js';
import type { Candidate } from '../../src/routing/route-completion.js';

/** One step of a scripted upstream answer. */
export type Step =
  | { text: string }
  | { wait: number }
  | { finish: Partial<Usage> }
  | { fail: UpstreamErrorInit }
  | { throws: true }
  | { toolCall: { id?: string; name?: string; arguments: string } }
  /** Any part, as is (a finish part ends the script). */
  | { part: ProviderStreamPart }
  | { end: true };

export const usage = (over: Partial<Usage> = {}): Usage => ({
  promptTokens: 10,
  completionTokens: 5,
  reasoningTokens: 0,
  cachedTokens: 0,
  estimated: false,
  ...over,
});

/**
 * A language model for router tests: each call plays the next script, in virtual time.
 * It stands in for the provider layer only; the router under test is the real one.
 */
export class ScriptedModel implements LanguageModel {
  readonly calls: { at: number; messages: ModelCall['messages'] }[] = [];
  /** It continues a trailing assistant turn, as Anthropic does. */
  continuesPrefill = false;
  readonly parameterSupport = takesEverySamplingHint;

  constructor(
    readonly provider: string,
    readonly model: string,
    private readonly clock: Clock,
    private readonly scripts: Step[][],
  ) {}

  async *stream(call: ModelCall): AsyncIterable<ProviderStreamPart> {
    const script = this.scripts[Math.min(this.calls.length, this.scripts.length - 1)] ?? [];
    this.calls.push({ at: this.clock.now(), messages: call.messages });
    for (const step of script) {
      if ('text' in step) yield { type: 'text-delta', text: step.text };
      else if ('toolCall' in step) yield { type: 'tool-call-delta', index: 0, ...step.toolCall };
      else if ('part' in step) {
        yield step.part;
        if (step.part.type === 'finish') return;
      } else if ('wait' in step) await this.clock.sleep(step.wait, call.signal);
      else if ('finish' in step)
        return yield { type: 'finish', finishReason: 'stop', usage: usage(step.finish) };
      else if ('fail' in step) return yield { type: 'error', error: new UpstreamError(step.fail) };
      else if ('throws' in step) throw new Error('socket hang up');
      else return;
    }
  }
}

export const modelInfo = (id: string, over: Partial<ModelInfo> = {}): ModelInfo => {
  const [provider, model] = id.split('/') as [string, string];
  return {
    id,
    provider,
    model,
    contextWindow: 100_000,
    maxOutputTokens: undefined,
    prices: { input: 1_000_000, output: 2_000_000, cachedInput: 500_000 },
    capabilities: new Set(),
    ...over,
  };
};

export const candidate = (id: string, clock: Clock, scripts: Step[][], info: Partial<ModelInfo> = {}) => {
  const model = new ScriptedModel(id.split('/')[0]!, id.split('/')[1]!, clock, scripts);
  const entry: Candidate = { info: modelInfo(id, info), model, options: {}, droppedParameters: [] };
  return { candidate: entry, model };
};
