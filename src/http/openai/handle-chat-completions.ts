import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../auth/principal.js';
import type { AnswerSource } from '../../completions/completion-result.js';
import type { DroppedParameter } from '../../core/generation-options.js';
import { openAiRateLimitHeaders } from '../../limits/rate-limit-headers.js';
import type { ProviderRegistry } from '../../providers/provider-registry.js';
import { readJsonBody } from '../read-json-body.js';
import { clientGoneSignal, type RestCompletionsDeps } from '../rest-completions.js';
import { sendJson } from '../send-json.js';
import { SseWriter } from '../sse-writer.js';
import { ChatChunkEncoder } from './chat-completion-chunks.js';
import { parseChatCompletionBody } from './chat-completion-request.js';
import { conversationIdHeader, toChatCompletion } from './chat-completion-response.js';
import { droppedParametersFor, droppedParametersHeaders } from './dropped-parameters.js';
import { sendOpenAIError, toOpenAIErrorObject } from './openai-error.js';

export interface ChatCompletionsDeps extends RestCompletionsDeps {
  /** To tell a stream's headers which parameters its model was not given. */
  registry: ProviderRegistry;
}

const conversationHeaders = (source: AnswerSource) => ({ [conversationIdHeader]: source.conversationId });

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

  if (!request.stream) {
    for await (const event of events) {
      if (event.type === 'done') {
        const { completion } = event;
        return sendJson(res, 200, toChatCompletion(completion, created), {
          ...conversationHeaders(completion),
          ...droppedParametersHeaders(completion.droppedParameters),
        });
      }
      if (event.type === 'error') return sendOpenAIError(res, event.error);
    }
    return;
  }

  // As on REST, the stream opens with the first fragment: a failure before it is a plain
  // JSON error with its status, which the openai clients raise as their typed errors.
  const sse = new SseWriter(res);
  const chunks = new ChatChunkEncoder(created, includeUsage);
  const open = (source: AnswerSource, beforeText: boolean, dropped?: DroppedParameter[]) => {
    if (res.headersSent) return;
    sse.open({
      ...conversationHeaders(source),
      ...droppedParametersHeaders(dropped ?? droppedParametersFor(request, source, deps.registry)),
    });
    sse.writeJson(chunks.role(source, beforeText));
  };
  for await (const event of events) {
    switch (event.type) {
      case 'text-delta':
        open(event.source, true);
        sse.writeJson(chunks.text(event.text, event.source));
        break;
      case 'reasoning-delta':
        open(event.source, false);
        sse.writeJson(chunks.reasoning(event.text, event.source));
        break;
      case 'tool-call-delta':
        open(event.source, false);
        sse.writeJson(chunks.toolCall(event));
        break;
      case 'done':
        open(event.completion, true, event.completion.droppedParameters);
        sse.writeJson(chunks.finish(event.completion));
        if (includeUsage) sse.writeJson(chunks.usage(event.completion));
        sse.writeJson('[DONE]');
        sse.end();
        break;
      case 'error':
        if (!res.headersSent) {
          sendOpenAIError(res, event.error);
        } else {
          // OpenAI's in-stream error: an `error` object and no [DONE], so a client cannot take
          // the cut answer for a complete one (the openai clients throw an APIError on it).
          sse.write({ error: toOpenAIErrorObject(event.error) });
          sse.end();
        }
    }
  }
}
