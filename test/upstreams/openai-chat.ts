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
  return [
    sseEvent(chunk(model, [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])),
    ...pieces.map((text) =>
      sseEvent(chunk(model, [{ index: 0, delta: { content: text }, finish_reason: null }])),
    ),
    ...closingEvents(model, pieces.length, options, 'stop'),
  ];
}

/** The finish chunk, the usage chunk and `[DONE]`, as the options say. */
function closingEvents(
  model: string,
  completionTokens: number,
  options: OpenAIStreamOptions,
  defaultFinish: string,
): string[] {
  const events: string[] = [];
  const finishReason = options.finishReason === undefined ? defaultFinish : options.finishReason;
  if (finishReason !== null)
    events.push(sseEvent(chunk(model, [{ index: 0, delta: {}, finish_reason: finishReason }])));
  const usage =
    options.usage === undefined ? { prompt_tokens: 12, completion_tokens: completionTokens } : options.usage;
  if (usage !== null) events.push(sseEvent(chunk(model, [], usageBody(usage))));
  if (options.done ?? true) events.push(sseEvent('[DONE]'));
  return events;
}

/** A tool call to stream: `arguments` as one piece or as the pieces it arrives in. */
export interface OpenAIToolCallScript {
  id: string;
  name: string;
  arguments: string | string[];
}

export interface OpenAIToolCallStreamOptions extends OpenAIStreamOptions {
  /** Text pieces streamed before the calls (OpenAI sends `content: null` when there are none). */
  text?: string[];
  /**
   * `sequential` (default) streams one call after the other, as OpenAI does; `interleaved`
   * takes one argument piece of each call in turn (after each call's first fragment), as
   * some servers do for parallel calls.
   */
  order?: 'sequential' | 'interleaved';
  /** Repeat the id on every fragment (some compatible servers do). */
  repeatId?: boolean;
}

const piecesOf = (args: string | string[]): string[] => (typeof args === 'string' ? [args] : args);

/**
 * The SSE events of an answer that calls tools, in OpenAI's exact shape: a call's first
 * fragment is `{index, id, type: 'function', function: {name, arguments: ''}}`, each later
 * one `{index, function: {arguments: piece}}`; the finish reason defaults to `tool_calls`.
 */
export function openaiToolCallEvents(
  calls: OpenAIToolCallScript[],
  options: OpenAIToolCallStreamOptions = {},
): string[] {
  const model = options.model ?? 'gpt-4o-2024-08-06';
  const text = options.text ?? [];
  const event = (delta: Record<string, unknown>) =>
    sseEvent(chunk(model, [{ index: 0, delta, finish_reason: null }]));
  const fragment = (index: number, piece: string) => {
    const call = calls[index]!;
    return event({
      tool_calls: [{ index, ...(options.repeatId ? { id: call.id } : {}), function: { arguments: piece } }],
    });
  };
  const events = [
    event({ role: 'assistant', content: text.length > 0 ? '' : null }),
    ...text.map((piece) => event({ content: piece })),
  ];
  const opening = (index: number) =>
    event({
      tool_calls: [
        {
          index,
          id: calls[index]!.id,
          type: 'function',
          function: { name: calls[index]!.name, arguments: '' },
        },
      ],
    });
  let pieceCount = 0;
  if (options.order === 'interleaved') {
    for (let index = 0; index < calls.length; index++) events.push(opening(index));
    const queues = calls.map((call) => [...piecesOf(call.arguments)]);
    while (queues.some((queue) => queue.length > 0)) {
      queues.forEach((queue, index) => {
        const piece = queue.shift();
        if (piece === undefined) return;
        events.push(fragment(index, piece));
        pieceCount++;
      });
    }
  } else {
    calls.forEach((call, index) => {
      events.push(opening(index));
      for (const piece of piecesOf(call.arguments)) {
        events.push(fragment(index, piece));
        pieceCount++;
      }
    });
  }
  return [...events, ...closingEvents(model, text.length + pieceCount, options, 'tool_calls')];
}

export interface OpenAIReasoningStreamOptions extends OpenAIStreamOptions {
  /** The delta field: `reasoning_content` (DeepSeek, vLLM; the default) or `reasoning` (OpenRouter). */
  field?: 'reasoning_content' | 'reasoning';
}

/**
 * The SSE events of an answer that reasons first, as DeepSeek streams it: reasoning
 * pieces in `delta.reasoning_content` (with `content: null`), then text pieces in
 * `delta.content` (with `reasoning_content: null`).
 */
export function openaiReasoningEvents(
  reasoning: string | string[],
  text: string | string[],
  options: OpenAIReasoningStreamOptions = {},
): string[] {
  const model = options.model ?? 'deepseek-reasoner';
  const field = options.field ?? 'reasoning_content';
  const thoughts = piecesOf(reasoning);
  const pieces = piecesOf(text);
  const event = (delta: Record<string, unknown>) =>
    sseEvent(chunk(model, [{ index: 0, delta, finish_reason: null }]));
  return [
    event({ role: 'assistant', content: null, [field]: '' }),
    ...thoughts.map((piece) => event({ content: null, [field]: piece })),
    ...pieces.map((piece) => event({ content: piece, [field]: null })),
    ...closingEvents(model, thoughts.length + pieces.length, options, 'stop'),
  ];
}

/** The logprobs entry of one streamed token, as OpenAI sends it: `position` sets its numbers. */
export function openaiTokenLogprob(token: string, position: number, top: number) {
  const bytes = (text: string) => [...Buffer.from(text, 'utf8')];
  const logprob = -0.125 * (position + 1);
  return {
    token,
    logprob,
    bytes: bytes(token),
    top_logprobs: Array.from({ length: top }, (_, rank) => {
      const alternative = rank === 0 ? token : `${token}~${rank}`;
      return { token: alternative, logprob: logprob - rank, bytes: bytes(alternative) };
    }),
  };
}

export interface OpenAIChoicesStreamOptions extends OpenAIStreamOptions {
  /** Send each piece's logprobs (one token per piece) with `top` alternatives; absent: `logprobs: null`. */
  logprobs?: { top: number };
  /** The finish reason of each choice (default `stop`). */
  finishReasons?: string[];
}

/**
 * The SSE events of an answer of several choices (`n`), as OpenAI streams them: each chunk
 * carries one choice by `index`, first every choice's role chunk, then their pieces taken in
 * turn, then one finish chunk per choice. With `logprobs`, each content chunk carries
 * `logprobs: {content: [{token, logprob, bytes, top_logprobs}], refusal: null}` (one token a
 * piece, numbered per choice), the role and finish chunks `logprobs: null`.
 */
export function openaiChoicesEvents(choices: string[][], options: OpenAIChoicesStreamOptions = {}): string[] {
  const model = options.model ?? 'gpt-4o-2024-08-06';
  const event = (index: number, delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    sseEvent(chunk(model, [{ index, delta, logprobs: null, finish_reason: null, ...extra }]));
  const events = choices.map((_, index) => event(index, { role: 'assistant', content: '', refusal: null }));
  const longest = Math.max(0, ...choices.map((pieces) => pieces.length));
  for (let position = 0; position < longest; position++) {
    choices.forEach((pieces, index) => {
      const piece = pieces[position];
      if (piece === undefined) return;
      const logprobs = options.logprobs
        ? { content: [openaiTokenLogprob(piece, position, options.logprobs.top)], refusal: null }
        : null;
      events.push(event(index, { content: piece }, { logprobs }));
    });
  }
  const finishes = choices.map((_, index) =>
    sseEvent(
      chunk(model, [
        { index, delta: {}, logprobs: null, finish_reason: options.finishReasons?.[index] ?? 'stop' },
      ]),
    ),
  );
  const tokens = choices.reduce((sum, pieces) => sum + pieces.length, 0);
  // The finish chunks are built here; closingEvents adds usage and [DONE] only.
  return [
    ...events,
    ...finishes,
    ...closingEvents(model, tokens, { ...options, finishReason: null }, 'stop'),
  ];
}

const streamReply = (chunks: string[]): UpstreamReply => ({ status: 200, headers: sseHeaders, chunks });

/**
 * Scripted Chat Completions answers, one `UpstreamReply` each:
 * - `stream(pieces, options?)`: a text answer;
 * - `toolCallStream(calls, options?)`: an answer calling tools (`calls`: `{id, name, arguments}`,
 *   arguments as one string or its pieces; `options.text` streams text first, `order:
 *   'interleaved'` mixes the pieces of parallel calls, `repeatId` repeats ids), finish `tool_calls`;
 * - `reasoningStream(reasoning, text, options?)`: reasoning then text, in `reasoning_content`
 *   (or `options.field: 'reasoning'`), finish `stop`;
 * - `choicesStream(choices, options?)`: several choices (`n`), each a list of pieces, with
 *   per-token logprobs when `options.logprobs` is set (`[['Hi']]` is one choice with logprobs);
 * - `error(status, error, headers?)` and `streamError(pieces, error)`.
 * The `*Events` functions give the same answers as SSE event strings, to cut or delay.
 */
export const openaiChat = {
  /** A complete streamed answer. */
  stream: (pieces: string[], options: OpenAIStreamOptions = {}): UpstreamReply =>
    streamReply(openaiChatEvents(pieces, options)),
  /** A complete streamed answer that calls tools (finish reason `tool_calls` unless set). */
  toolCallStream: (calls: OpenAIToolCallScript[], options: OpenAIToolCallStreamOptions = {}): UpstreamReply =>
    streamReply(openaiToolCallEvents(calls, options)),
  /** A complete streamed answer with reasoning before its text. */
  reasoningStream: (
    reasoning: string | string[],
    text: string | string[],
    options: OpenAIReasoningStreamOptions = {},
  ): UpstreamReply => streamReply(openaiReasoningEvents(reasoning, text, options)),
  /** A complete streamed answer of several choices (`n`), with logprobs when `options.logprobs` is set. */
  choicesStream: (choices: string[][], options: OpenAIChoicesStreamOptions = {}): UpstreamReply =>
    streamReply(openaiChoicesEvents(choices, options)),
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
