import type { FinishReason } from './provider.js';

/** The AI SDK's unified finish reasons, minus `error` (an error is never a finish). */
export type UpstreamFinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'other';

/** An upstream's finish reason in our own terms. */
export function mapFinishReason(reason: UpstreamFinishReason): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content-filter':
      return 'content_filter';
    case 'tool-calls':
      return 'tool_calls';
    default:
      return 'other';
  }
}
