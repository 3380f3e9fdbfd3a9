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
  /** A web search the server ran before answering (the `web_search_20250305` tool). */
  search?: AnthropicWebSearch;
}

/** What Anthropic's own web search found, and which pages the answer cites. */
export interface AnthropicWebSearch {
  query: string;
  results: { url: string; title: string }[];
  /** `citations_delta` events on the text block, before its text. */
  citations?: { url: string; title: string; citedText: string }[];
}

/** A `server_tool_use` block and its `web_search_tool_result` block, as streamed. */
function webSearchBlocks(search: AnthropicWebSearch): string[] {
  const id = 'srvtoolu_test';
  return [
    sseEvent(
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'server_tool_use', id, name: 'web_search', input: {} },
      },
      'content_block_start',
    ),
    sseEvent(
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify({ query: search.query }) },
      },
      'content_block_delta',
    ),
    sseEvent({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    sseEvent(
      {
        type: 'content_block_start',
        index: 1,
        content_block: {
          type: 'web_search_tool_result',
          tool_use_id: id,
          content: search.results.map((result) => ({
            type: 'web_search_result',
            url: result.url,
            title: result.title,
            encrypted_content: 'EqgfCioIARgBIiQ3YTAwMjY1Mi1mZjM5LTQ1NGUtODgxNC1kNjNjNTk1ZWI3Y2Q',
            page_age: 'April 30, 2025',
          })),
        },
      },
      'content_block_start',
    ),
    sseEvent({ type: 'content_block_stop', index: 1 }, 'content_block_stop'),
  ];
}

/** The named SSE events of a streamed answer. */
export function anthropicEvents(pieces: string[], options: AnthropicStreamOptions = {}): string[] {
  const usage = options.usage ?? { input_tokens: 12, output_tokens: pieces.length };
  const { search } = options;
  const textIndex = search ? 2 : 0;
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
    ...(search ? webSearchBlocks(search) : []),
    sseEvent(
      { type: 'content_block_start', index: textIndex, content_block: { type: 'text', text: '' } },
      'content_block_start',
    ),
    sseEvent({ type: 'ping' }, 'ping'),
    ...(search?.citations ?? []).map((citation) =>
      sseEvent(
        {
          type: 'content_block_delta',
          index: textIndex,
          delta: {
            type: 'citations_delta',
            citation: {
              type: 'web_search_result_location',
              cited_text: citation.citedText,
              url: citation.url,
              title: citation.title,
              encrypted_index: 'Eo8BCioIAhgBIiQyYjQ0OWJmZi1lNm',
            },
          },
        },
        'content_block_delta',
      ),
    ),
    ...pieces.map((text) =>
      sseEvent(
        { type: 'content_block_delta', index: textIndex, delta: { type: 'text_delta', text } },
        'content_block_delta',
      ),
    ),
    sseEvent({ type: 'content_block_stop', index: textIndex }, 'content_block_stop'),
  ];
  const stopReason = options.stopReason === undefined ? 'end_turn' : options.stopReason;
  if (stopReason !== null) {
    events.push(
      sseEvent(
        {
          type: 'message_delta',
          delta: { stop_reason: stopReason, stop_sequence: null },
          usage: {
            output_tokens: usage.output_tokens,
            // Anthropic bills each search on top of the tokens, and reports the count here.
            ...(search ? { server_tool_use: { web_search_requests: 1 } } : {}),
          },
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
