import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../auth/principal.js';
import type { AnswerSource } from '../../completions/completion-result.js';
import { deliverCompletion } from '../../completions/deliver-completion.js';
import { openAiRateLimitHeaders } from '../../limits/rate-limit-headers.js';
import { readJsonBody } from '../read-json-body.js';
import { clientGoneSignal, type RestCompletionsDeps } from '../rest-completions.js';
import { sendJson } from '../send-json.js';
import { SseWriter } from '../sse-writer.js';
import { ChatChunkEncoder } from './chat-completion-chunks.js';
import { parseChatCompletionBody } from './chat-completion-request.js';
import { conversationIdHeader, toChatCompletion } from './chat-completion-response.js';
import { droppedParametersHeaders } from './dropped-parameters.js';
import { sendOpenAIError, toOpenAIErrorObject } from './openai-error.js';

export type ChatCompletionsDeps = RestCompletionsDeps;

const answerHeaders = (source: AnswerSource) => ({
  [conversationIdHeader]: source.conversationId,
  ...droppedParametersHeaders(source.droppedParameters),
});

/** `POST /v1/chat/completions`: OpenAI's wire format over the one completion service. */
export async function handleChatCompletions(
  req: IncomingMessage,
  res: ServerResponse,
  principal: Principal,
  startedAt: number,
  deps: ChatCompletionsDeps,
): Promise<void> {
  const { request, includeUsage } = parseChatCompletionBody(await readJsonBody(req, deps.maxBodyBytes));
  const signal = clientGoneSignal(req, res);
  const receivedAt = new Date();
  const created = Math.floor(receivedAt.getTime() / 1000);
  const events = await deps.service.start(request, {
    principal,
    signal,
    startedAt,
    receivedAt,
    // OpenAI's `x-ratelimit-*-requests`/`-tokens` names, set now so that every later
    // writeHead (JSON, stream or the 429 itself) keeps them.
    onRateLimit: (state) => {
      for (const [name, value] of Object.entries(openAiRateLimitHeaders(state))) res.setHeader(name, value);
    },
  });

  // Made when the stream opens: a JSON answer needs neither.
  let sse!: SseWriter;
  let chunks!: ChatChunkEncoder;
  let roleSent = false;
  /** OpenAI's first chunk carries the role; `content: ""` only when text comes first. */
  const role = (source: AnswerSource, beforeText: boolean) => {
    if (roleSent) return;
    roleSent = true;
    sse.writeJson(chunks.role(source, beforeText));
  };
  await deliverCompletion(events, request.stream, {
    json: (completion) =>
      sendJson(res, 200, toChatCompletion(completion, created), answerHeaders(completion)),
    // As on REST, a failure before the stream opened is a plain JSON error with its status,
    // which the openai clients raise as their typed errors.
    refuse: (error) => sendOpenAIError(res, error),
    open: (source) => {
      sse = new SseWriter(res);
      chunks = new ChatChunkEncoder(created, includeUsage);
      sse.open(answerHeaders(source));
    },
    fragment: (event) => {
      role(event.source, event.type === 'text-delta');
      if (event.type === 'text-delta') sse.writeJson(chunks.text(event.text, event.source, event.logprobs));
      else if (event.type === 'reasoning-delta') {
        if (event.text) sse.writeJson(chunks.reasoning(event.text, event.source));
      } else sse.writeJson(chunks.toolCall(event));
    },
    choice: (event) => sse.writeJson(chunks.choice(event)),
    finish: (completion) => {
      role(completion, true);
      for (const chunk of chunks.otherFinishes(completion)) sse.writeJson(chunk);
      sse.writeJson(chunks.finish(completion));
      if (includeUsage) sse.writeJson(chunks.usage(completion));
      sse.writeJson('[DONE]');
      sse.end();
    },
    // OpenAI's in-stream error: an `error` object and no [DONE], so a client cannot take the
    // cut answer for a complete one (the openai clients throw an APIError on it).
    fail: (error) => {
      sse.write({ error: toOpenAIErrorObject(error) });
      sse.end();
    },
  });
}
