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

/**
 * One content block of a scripted answer, streamed as Anthropic streams it:
 * - `text`: `content_block_start` {type:'text'}, one `text_delta` per piece;
 * - `thinking`: {type:'thinking'}, one `thinking_delta` per piece, then one `signature_delta`;
 * - `redacted_thinking`: the block with its encrypted `data`, no delta;
 * - `tool_use`: {type:'tool_use', id, name, input:{}}, one `input_json_delta` per piece of
 *   the arguments' JSON text (`partial_json`).
 */
export type AnthropicBlock =
  | { type: 'text'; pieces: string[] }
  | { type: 'thinking'; pieces: string[]; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; pieces: string[] };

/** A call the model makes: its arguments (JSON text) split into `pieces` deltas (default 3). */
export interface AnthropicToolCall {
  id?: string;
  name: string;
  arguments: string;
  pieces?: number;
}

/** `text` in `count` consecutive pieces of about the same length (never fewer than one). */
export function splitInto(text: string, count: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, count)));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces.length > 0 ? pieces : [''];
}

/** A `tool_use` block per call, ids `toolu_test_0`, `toolu_test_1`… unless given. */
export const anthropicToolUseBlocks = (calls: AnthropicToolCall[]): AnthropicBlock[] =>
  calls.map((call, index) => ({
    type: 'tool_use',
    id: call.id ?? `toolu_test_${index}`,
    name: call.name,
    pieces: call.arguments === '' ? [] : splitInto(call.arguments, call.pieces ?? 3),
  }));

const blockDelta = (index: number, delta: Record<string, unknown>) =>
  sseEvent({ type: 'content_block_delta', index, delta }, 'content_block_delta');

function blockEvents(block: AnthropicBlock, index: number): string[] {
  const start = (content_block: Record<string, unknown>) =>
    sseEvent({ type: 'content_block_start', index, content_block }, 'content_block_start');
  const stop = sseEvent({ type: 'content_block_stop', index }, 'content_block_stop');
  switch (block.type) {
    case 'text':
      return [
        start({ type: 'text', text: '' }),
        ...block.pieces.map((text) => blockDelta(index, { type: 'text_delta', text })),
        stop,
      ];
    case 'thinking':
      return [
        start({ type: 'thinking', thinking: '', signature: '' }),
        ...block.pieces.map((thinking) => blockDelta(index, { type: 'thinking_delta', thinking })),
        blockDelta(index, { type: 'signature_delta', signature: block.signature }),
        stop,
      ];
    case 'redacted_thinking':
      return [start({ type: 'redacted_thinking', data: block.data }), stop];
    case 'tool_use':
      return [
        start({ type: 'tool_use', id: block.id, name: block.name, input: {} }),
        // Anthropic opens each tool input with an empty fragment.
        blockDelta(index, { type: 'input_json_delta', partial_json: '' }),
        ...block.pieces.map((partial_json) => blockDelta(index, { type: 'input_json_delta', partial_json })),
        stop,
      ];
  }
}

/**
 * The named SSE events of an answer made of `blocks`, in order. The stop reason defaults
 * to `tool_use` when a block calls a tool, `end_turn` otherwise.
 */
export function anthropicBlockEvents(
  blocks: AnthropicBlock[],
  options: AnthropicStreamOptions = {},
): string[] {
  const usage = options.usage ?? { input_tokens: 12, output_tokens: blocks.length * 5 };
  const [first, ...rest] = blocks.map(blockEvents);
  const events = [
    messageStart(options, usage),
    // Anthropic sends a ping after the first block opens.
    ...(first ? [first[0]!, sseEvent({ type: 'ping' }, 'ping'), ...first.slice(1)] : []),
    ...rest.flat(),
  ];
  const usesTool = blocks.some((block) => block.type === 'tool_use');
  const stopReason =
    options.stopReason === undefined ? (usesTool ? 'tool_use' : 'end_turn') : options.stopReason;
  if (stopReason !== null) events.push(messageDelta(stopReason, usage));
  if (options.messageStop ?? true) events.push(sseEvent({ type: 'message_stop' }, 'message_stop'));
  return events;
}

const messageStart = (options: AnthropicStreamOptions, usage: AnthropicUsage) =>
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
  );

const messageDelta = (stopReason: string, usage: AnthropicUsage, search = false) =>
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
  );

/** The named SSE events of a streamed answer. */
export function anthropicEvents(pieces: string[], options: AnthropicStreamOptions = {}): string[] {
  const usage = options.usage ?? { input_tokens: 12, output_tokens: pieces.length };
  const { search } = options;
  const textIndex = search ? 2 : 0;
  const events = [
    messageStart(options, usage),
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
  if (stopReason !== null) events.push(messageDelta(stopReason, usage, search !== undefined));
  if (options.messageStop ?? true) events.push(sseEvent({ type: 'message_stop' }, 'message_stop'));
  return events;
}

const sseReply = (chunks: string[]): UpstreamReply => ({ status: 200, headers: sseHeaders, chunks });

/**
 * Scripted Anthropic answers. Besides `stream`, `error` and `streamError`:
 * - `blocks(blocks, options?)`: any sequence of text, thinking, redacted thinking and tool_use blocks;
 * - `toolCalls(calls, options?)`: optional leading `text` pieces (`options.text`), then one tool_use
 *   block per call, its arguments split over `input_json_delta`s; stop reason `tool_use`;
 * - `thinking(thoughts, signature, answer, options?)`: a signed thinking block, then the answer's text.
 */
export const anthropicMessages = {
  stream: (pieces: string[], options: AnthropicStreamOptions = {}): UpstreamReply =>
    sseReply(anthropicEvents(pieces, options)),
  blocks: (blocks: AnthropicBlock[], options: AnthropicStreamOptions = {}): UpstreamReply =>
    sseReply(anthropicBlockEvents(blocks, options)),
  toolCalls: (
    calls: AnthropicToolCall[],
    options: AnthropicStreamOptions & { text?: string[] } = {},
  ): UpstreamReply =>
    sseReply(
      anthropicBlockEvents(
        [
          ...(options.text ? [{ type: 'text' as const, pieces: options.text }] : []),
          ...anthropicToolUseBlocks(calls),
        ],
        options,
      ),
    ),
  thinking: (
    thoughts: string[],
    signature: string,
    answer: string[],
    options: AnthropicStreamOptions = {},
  ): UpstreamReply =>
    sseReply(
      anthropicBlockEvents(
        [
          { type: 'thinking', pieces: thoughts, signature },
          { type: 'text', pieces: answer },
        ],
        options,
      ),
    ),
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
