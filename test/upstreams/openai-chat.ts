import { jsonReply, sseEvent, sseHeaders, type UpstreamReply } from './scripted-upstream.js';

/** OpenAI Chat Completions (`POST /v1/chat/completions`), as documented, streaming. */

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens?: number;
  reasoning_tokens?: number;
}

export interface OpenAIStreamOptions {
  model?: string;
  finishReason?: string | null;
  /** The final usage chunk (sent when the request asked for `stream_options.include_usage`). */
  usage?: OpenAIUsage | null;
  /** The `data: [DONE]` terminator. */
  done?: boolean;
}

const chunk = (model: string, choices: unknown[], usage: unknown = null) => ({
  id: 'chatcmpl-test',
  object: 'chat.completion.chunk',
  created: 1_764_000_000,
  model,
  system_fingerprint: 'fp_test',
  choices,
  usage,
});

const usageBody = (usage: OpenAIUsage) => ({
  prompt_tokens: usage.prompt_tokens,
  completion_tokens: usage.completion_tokens,
  total_tokens: usage.prompt_tokens + usage.completion_tokens,
  prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens ?? 0, audio_tokens: 0 },
});

/** The SSE events of a streamed answer, one `data:` event per text piece. */
export function openaiChatEvents(pieces: string[], options: OpenAIStreamOptions = {}): string[] {
  const model = options.model ?? 'gpt-4o-2024-08-06';
  const events = [
    sseEvent(chunk(model, [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])),
    ...pieces.map((text) =>
      sseEvent(chunk(model, [{ index: 0, delta: { content: text }, finish_reason: null }])),
    ),
  ];
  const finishReason = options.finishReason === undefined ? 'stop' : options.finishReason;
  if (finishReason !== null)
    events.push(sseEvent(chunk(model, [{ index: 0, delta: {}, finish_reason: finishReason }])));
  const usage =
    options.usage === undefined ? { prompt_tokens: 12, completion_tokens: pieces.length } : options.usage;
  if (usage !== null) events.push(sseEvent(chunk(model, [], usageBody(usage))));
  if (options.done ?? true) events.push(sseEvent('[DONE]'));
  return events;
}

export const openaiChat = {
  /** A complete streamed answer. */
  stream: (pieces: string[], options: OpenAIStreamOptions = {}): UpstreamReply => ({
    status: 200,
    headers: sseHeaders,
    chunks: openaiChatEvents(pieces, options),
  }),
  /** An error answer: `{"error":{"message","type","param","code"}}`. */
  error: (
    status: number,
    error: { message: string; type: string; code?: string | null },
    headers: Record<string, string> = {},
  ): UpstreamReply => jsonReply(status, { error: { param: null, code: null, ...error } }, headers),
  /** An error sent inside an open event stream, after some text. */
  streamError: (
    pieces: string[],
    error: { message: string; type: string; code?: string | null },
  ): UpstreamReply => ({
    status: 200,
    headers: sseHeaders,
    chunks: [
      ...openaiChatEvents(pieces, { finishReason: null, usage: null, done: false }),
      sseEvent({ error }),
    ],
  }),
};
