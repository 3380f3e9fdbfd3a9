import type { GatewayError } from '../core/gateway-error.js';
import type { TokenLogprob } from '../core/logprobs.js';
import type { ProviderEcho } from '../core/messages.js';
import type { AnswerSource, CompletionResult } from './completion-result.js';

/**
 * What a completion yields to a surface: text fragments, then exactly one `done` or
 * one `error`. An `error` before any text means nothing was sent yet.
 */
export type CompletionEvent =
  | {
      type: 'text-delta';
      text: string;
      source: AnswerSource;
      /** The log probabilities of this text's tokens, when the request asked for them. */
      logprobs?: TokenLogprob[] | undefined;
    }
  /** Another choice's text (`n` > 1), numbered from 1: only the OpenAI surface shows it. */
  | {
      type: 'choice-delta';
      choice: number;
      text: string;
      logprobs: TokenLogprob[] | undefined;
      source: AnswerSource;
    }
  /** `echo`: what the provider attached for itself (a signature), for a surface of that provider's protocol. */
  | { type: 'reasoning-delta'; text: string; echo: ProviderEcho | undefined; source: AnswerSource }
  /** A fragment of a tool call: id and name on the first fragment of each call (by `index`). */
  | {
      type: 'tool-call-delta';
      index: number;
      id: string | undefined;
      name: string | undefined;
      arguments: string;
      source: AnswerSource;
    }
  | { type: 'done'; completion: CompletionResult }
  | { type: 'error'; error: GatewayError; afterText: boolean };
