import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../auth/principal.js';
import type { AnswerSource } from '../../completions/completion-result.js';
import { deliverCompletion } from '../../completions/deliver-completion.js';
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

  // Made when the stream opens: a JSON answer needs neither.
  let sse!: SseWriter;
  let stream!: AnthropicStreamEncoder;
  await deliverCompletion(events, request.stream, {
    json: (completion) =>
      sendJson(res, 200, toAnthropicMessage(completion), answerHeaders(completion, requestId)),
    // As on REST, a failure before the stream opened is a plain JSON error with its status,
    // which the Anthropic SDK raises as its typed errors.
    refuse: (error) => sendAnthropicError(res, error),
    open: (source) => {
      sse = new SseWriter(res);
      stream = new AnthropicStreamEncoder(sse, requestId);
      sse.open(answerHeaders(source, requestId));
      stream.start(source);
    },
    fragment: (event) => {
      if (event.type === 'text-delta') stream.text(event.text);
      else if (event.type === 'reasoning-delta') stream.reasoning(event.text, event.echo);
      else stream.toolCall(event);
    },
    finish: (completion) => {
      stream.finish(completion);
      sse.end();
    },
    fail: (error) => {
      stream.error(error);
      sse.end();
    },
  });
}
