import type { DroppedParameter, GenerationOptions, ParameterSupport } from '../core/generation-options.js';
import type { TokenLogprob } from '../core/logprobs.js';
import type { ChatMessage, ProviderEcho } from '../core/messages.js';
import type { UpstreamError } from '../core/upstream-error.js';
import type { Usage } from '../core/usage.js';

/**
 * What one upstream call is asked to do. The sampling hints are already fitted to the
 * model's `parameterSupport` (dropped or clamped by the router); tools, tool choice,
 * response format and reasoning are capabilities the model was chosen for.
 */
export interface ModelCall extends GenerationOptions {
  messages: ChatMessage[];
  /**
   * Let the provider search the web itself (its own search tool), for a model whose
   * provider offers it (`Provider.nativeSearch`). The messages then carry no sources of ours.
   */
  search?: boolean | undefined;
  /** Aborted when the client goes away or a deadline passes. */
  signal: AbortSignal;
}

/** A web page the provider's own search found or the answer cites, in order of first appearance. */
export interface WebSource {
  url: string;
  title: string;
  /** The cited text, when the provider says which; empty otherwise. */
  snippet: string;
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';

/** How one of the other choices (numbered from 1) ended. */
export interface ChoiceFinish {
  choice: number;
  finishReason: FinishReason;
}

/**
 * What a model's stream yields. It always ends with exactly one `finish` or one `error`
 * part: an adapter turns every failure (HTTP error, cut or malformed stream, missing
 * terminator) into an `error` part rather than ending silently.
 */
export type ProviderStreamPart =
  /** Text of the answer; `logprobs` (asked for with `ModelCall.logprobs`) are those of its tokens. */
  | { type: 'text-delta'; text: string; logprobs?: TokenLogprob[] | undefined }
  /**
   * Text of another choice than the answer (`ModelCall.choices`), numbered from 1; it rides
   * along to the caller and is neither stored nor continued.
   */
  | { type: 'choice-delta'; choice: number; text: string; logprobs?: TokenLogprob[] | undefined }
  /** Reasoning text; `echo` (a signature…) may come with any fragment, usually the last of a block. */
  | { type: 'reasoning-delta'; text: string; echo?: ProviderEcho | undefined }
  /**
   * A fragment of a tool call. `index` numbers the answer's calls from 0; the first fragment of
   * each call carries its `id` and `name` (an adapter makes up a stable id when the provider has none).
   */
  | {
      type: 'tool-call-delta';
      index: number;
      id?: string | undefined;
      name?: string | undefined;
      arguments: string;
      echo?: ProviderEcho | undefined;
    }
  | {
      type: 'finish';
      finishReason: FinishReason;
      usage: Usage | undefined;
      /**
       * The pages of a native search (`ModelCall.search`), each once. They come with the
       * finish because they only count for an answer that completed.
       */
      sources?: WebSource[] | undefined;
      /** Why each other choice (`choice-delta`) ended, when several were asked for. */
      otherChoices?: ChoiceFinish[] | undefined;
    }
  | { type: 'error'; error: UpstreamError };

/** One model of one provider, ready to be called. */
export interface LanguageModel {
  readonly provider: string;
  readonly model: string;
  /** Which sampling hints this model takes, from its adapter's own table. */
  readonly parameterSupport: ParameterSupport;
  /**
   * It continues a trailing assistant turn (a prefill) instead of answering it: a cut answer
   * is then handed over as the start of its own answer (SPEC §9).
   */
  readonly continuesPrefill?: boolean | undefined;
  /**
   * Drops the hints this model cannot take in this combination (Anthropic: no temperature
   * while thinking), with the reason, so that the answer can report them (`droppedParameters`).
   */
  fitCall?(options: GenerationOptions): { options: GenerationOptions; dropped: DroppedParameter[] };
  stream(call: ModelCall): AsyncIterable<ProviderStreamPart>;
}

/** An upstream provider: a wire format, a base URL and maybe a key. */
export interface Provider {
  readonly name: string;
  /** False when its key is not set: its models are not eligible. */
  readonly configured: boolean;
  /** Its adapter can run the provider's own web search (`ModelCall.search`) for models that have it. */
  readonly nativeSearch?: boolean;
  languageModel(model: string): LanguageModel;
}
