import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../auth/principal.js';
import type { AnswerSource } from '../../completions/completion-result.js';
import { readJsonBody } from '../read-json-body.js';
import { clientGoneSignal, type RestCompletionsDeps } from '../rest-completions.js';
import { sendJson } from '../send-json.js';
import { SseWriter } from '../sse-writer.js';
import { requestIdOf, sendAnthropicError } from './anthropic-error.js';
import { anthropicRateLimitHeaders } from './anthropic-rate-limit-headers.js';
import { parseMessagesBody } from './anthropic-request.js';
import { conversationIdHeader, toAnthropicMessage } from './anthropic-response.js';
import { AnthropicStreamEncoder } from './anthropic-stream.js';

const answerHeaders = (source: AnswerSource, requestId: string | undefined): Record<string, string> => ({
  [conversationIdHeader]: source.conversationId,
  ...(requestId ? { 'request-id': requestId } : {}),
});

/** `POST /v1/messages`: Anthropic's wire format over the one completion service. */
export async function handleMessages(
  req: IncomingMessage,
  res: ServerResponse,
  principal: Principal,
  startedAt: number,
  deps: RestCompletionsDeps,
): Promise<void> {
  const request = parseMessagesBody(await readJsonBody(req, deps.maxBodyBytes));
  const signal = clientGoneSignal(req, res);
  const receivedAt = new Date();
  const requestId = requestIdOf(res);
  const events = await deps.service.start(request, {
    principal,
    signal,
    startedAt,
    receivedAt,
    // Set now, so that every later writeHead (JSON, stream or the 429 itself) keeps them.
    onRateLimit: (state) => {
      for (const [name, value] of Object.entries(anthropicRateLimitHeaders(state, receivedAt.getTime())))
        res.setHeader(name, value);
    },
  });

  if (!request.stream) {
    for await (const event of events) {
      if (event.type === 'done') {
        const { completion } = event;
        return sendJson(res, 200, toAnthropicMessage(completion), answerHeaders(completion, requestId));
      }
      if (event.type === 'error') return sendAnthropicError(res, event.error);
    }
    return;
  }

  // As on REST, the stream opens with the first fragment: a failure before it is a plain
  // JSON error with its status, which the Anthropic SDK raises as its typed errors.
  const sse = new SseWriter(res);
  const stream = new AnthropicStreamEncoder(sse, requestId);
  const open = (source: AnswerSource) => {
    if (res.headersSent) return;
    sse.open(answerHeaders(source, requestId));
    stream.start(source);
  };
  for await (const event of events) {
    switch (event.type) {
      case 'text-delta':
        open(event.source);
        stream.text(event.text);
        break;
      case 'reasoning-delta':
        open(event.source);
        stream.reasoning(event.text);
        break;
      case 'tool-call-delta':
        open(event.source);
        stream.toolCall(event);
        break;
      case 'done':
        open(event.completion);
        stream.finish(event.completion);
        sse.end();
        break;
      case 'error':
        if (!res.headersSent) return sendAnthropicError(res, event.error);
        stream.error(event.error);
        sse.end();
        break;
    }
  }
}
