import type { GatewayError } from '../core/gateway-error.js';
import type { AnswerSource, CompletionResult } from './completion-result.js';

/**
 * What a completion yields to a surface: text fragments, then exactly one `done` or
 * one `error`. An `error` before any text means nothing was sent yet.
 */
export type CompletionEvent =
  | { type: 'text-delta'; text: string; source: AnswerSource }
  | { type: 'reasoning-delta'; text: string; source: AnswerSource }
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
