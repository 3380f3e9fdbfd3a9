import { sseEvent, sseHeaders, type UpstreamReply } from './scripted-upstream.js';

/** OpenAI Responses (`POST /v1/responses`), as documented, streaming; used for its web search. */

export interface OpenAIResponsesOptions {
  model?: string;
  /** A `web_search_call` item before the message (the `web_search` tool ran). */
  searchQuery?: string;
  /** `url_citation` annotations on the message's text, sent after its text. */
  citations?: { url: string; title: string }[];
  usage?: { input_tokens: number; output_tokens: number };
  /** The closing `response.completed` event. */
  completed?: boolean;
}

/** The named SSE events of a streamed response, each with its `sequence_number`. */
export function openaiResponsesEvents(pieces: string[], options: OpenAIResponsesOptions = {}): string[] {
  const model = options.model ?? 'gpt-4o-2024-08-06';
  const usage = options.usage ?? { input_tokens: 12, output_tokens: pieces.length };
  const text = pieces.join('');
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>) =>
    sseEvent({ type, sequence_number: sequence++, ...data }, type);
  const response = (status: string, output: unknown[], withUsage: boolean) => ({
    id: 'resp_test',
    object: 'response',
    created_at: 1_764_000_000,
    status,
    model,
    output,
    incomplete_details: null,
    usage: withUsage
      ? {
          input_tokens: usage.input_tokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: usage.output_tokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: usage.input_tokens + usage.output_tokens,
        }
      : null,
  });
  const output: unknown[] = [];
  const events = [
    event('response.created', { response: response('in_progress', [], false) }),
    event('response.in_progress', { response: response('in_progress', [], false) }),
  ];
  let outputIndex = 0;
  if (options.searchQuery !== undefined) {
    const id = 'ws_test';
    const done = {
      type: 'web_search_call',
      id,
      status: 'completed',
      action: { type: 'search', query: options.searchQuery },
    };
    events.push(
      event('response.output_item.added', {
        output_index: outputIndex,
        item: { type: 'web_search_call', id, status: 'in_progress' },
      }),
      event('response.web_search_call.in_progress', { output_index: outputIndex, item_id: id }),
      event('response.web_search_call.searching', { output_index: outputIndex, item_id: id }),
      event('response.web_search_call.completed', { output_index: outputIndex, item_id: id }),
      event('response.output_item.done', { output_index: outputIndex, item: done }),
    );
    output.push(done);
    outputIndex++;
  }
  const itemId = 'msg_test';
  const place = { item_id: itemId, output_index: outputIndex, content_index: 0 };
  const annotations = (options.citations ?? []).map((citation) => ({
    type: 'url_citation',
    start_index: 0,
    end_index: text.length,
    url: citation.url,
    title: citation.title,
  }));
  const message = {
    type: 'message',
    id: itemId,
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations }],
  };
  events.push(
    event('response.output_item.added', {
      output_index: outputIndex,
      item: { type: 'message', id: itemId, status: 'in_progress', role: 'assistant', content: [] },
    }),
    event('response.content_part.added', {
      ...place,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
    ...pieces.map((delta) => event('response.output_text.delta', { ...place, delta, logprobs: [] })),
    ...annotations.map((annotation, index) =>
      event('response.output_text.annotation.added', { ...place, annotation_index: index, annotation }),
    ),
    event('response.output_text.done', { ...place, text, logprobs: [] }),
    event('response.content_part.done', { ...place, part: message.content[0] }),
    event('response.output_item.done', { output_index: outputIndex, item: message }),
  );
  output.push(message);
  if (options.completed ?? true)
    events.push(event('response.completed', { response: response('completed', output, true) }));
  return events;
}

export const openaiResponses = {
  stream: (pieces: string[], options: OpenAIResponsesOptions = {}): UpstreamReply => ({
    status: 200,
    headers: sseHeaders,
    chunks: openaiResponsesEvents(pieces, options),
  }),
};
