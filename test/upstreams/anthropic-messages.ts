import { jsonReply, sseEvent, sseHeaders, type UpstreamReply } from './scripted-upstream.js';

/** Anthropic Messages (`POST /v1/messages`), as documented, streaming. */

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface AnthropicStreamOptions {
  model?: string;
  stopReason?: string | null;
  usage?: AnthropicUsage;
  /** The closing `message_stop` event. */
  messageStop?: boolean;
}

/** The named SSE events of a streamed answer. */
export function anthropicEvents(pieces: string[], options: AnthropicStreamOptions = {}): string[] {
  const usage = options.usage ?? { input_tokens: 12, output_tokens: pieces.length };
  const events = [
    sseEvent(
      {
        type: 'message_start',
        message: {
          id: 'msg_test',
          type: 'message',
          role: 'assistant',
          model: options.model ?? 'claude-sonnet-4-5-20250929',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: usage.input_tokens,
            output_tokens: 1,
            cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
            cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
          },
        },
      },
      'message_start',
    ),
    sseEvent(
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      'content_block_start',
    ),
    sseEvent({ type: 'ping' }, 'ping'),
    ...pieces.map((text) =>
      sseEvent(
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
        'content_block_delta',
      ),
    ),
    sseEvent({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
  ];
  const stopReason = options.stopReason === undefined ? 'end_turn' : options.stopReason;
  if (stopReason !== null) {
    events.push(
      sseEvent(
        {
          type: 'message_delta',
          delta: { stop_reason: stopReason, stop_sequence: null },
          usage: { output_tokens: usage.output_tokens },
        },
        'message_delta',
      ),
    );
  }
  if (options.messageStop ?? true) events.push(sseEvent({ type: 'message_stop' }, 'message_stop'));
  return events;
}

export const anthropicMessages = {
  stream: (pieces: string[], options: AnthropicStreamOptions = {}): UpstreamReply => ({
    status: 200,
    headers: sseHeaders,
    chunks: anthropicEvents(pieces, options),
  }),
  /** `{"type":"error","error":{"type","message"}}` with the status Anthropic documents for it. */
  error: (
    status: number,
    type: string,
    message: string,
    headers: Record<string, string> = {},
  ): UpstreamReply =>
    jsonReply(status, { type: 'error', error: { type, message } }, { 'request-id': 'req_test', ...headers }),
  /** An `error` event inside an open stream, after some text. */
  streamError: (pieces: string[], type: string, message: string): UpstreamReply => ({
    status: 200,
    headers: sseHeaders,
    chunks: [
      ...anthropicEvents(pieces, { stopReason: null, messageStop: false }),
      sseEvent({ type: 'error', error: { type, message } }, 'error'),
    ],
  }),
};
