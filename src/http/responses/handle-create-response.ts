import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../auth/principal.js';
import type { AnswerSource, CompletionResult } from '../../completions/completion-result.js';
import { deliverCompletion } from '../../completions/deliver-completion.js';
import {
  type CompletionRequest,
  completionFieldSchemas,
  describeValidationIssues,
} from '../../core/completion-request.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { ChatMessage, ContentPart } from '../../core/messages.js';
import { openAiRateLimitHeaders } from '../../limits/rate-limit-headers.js';
import type { ResponseQueries } from '../../store/response-queries.js';
import { conversationIdHeader } from '../openai/chat-completion-response.js';
import { droppedParametersHeaders } from '../openai/dropped-parameters.js';
import { sendOpenAIError } from '../openai/openai-error.js';
import { readJsonBody } from '../read-json-body.js';
import { clientGoneSignal, type RestCompletionsDeps } from '../rest-completions.js';
import { sendJson } from '../send-json.js';
import { SseWriter } from '../sse-writer.js';
import { referencedItemIds, toMessages } from './input-items.js';
import { outputItemsOf } from './output-items.js';
import { messageIdOfResponse, parseItemId } from './response-ids.js';
import { completedResponse } from './response-object.js';
import { ResponseStreamEncoder } from './response-stream.js';
import { parseResponsesBody } from './responses-request.js';
import { annotateOutput } from './url-annotations.js';

export interface ResponsesDeps extends RestCompletionsDeps {
  responses: ResponseQueries;
}

/**
 * The conversation `previous_response_id` continues: ours hold exactly the state OpenAI
 * keeps for a chain of responses. Only its latest response can be continued, since a
 * conversation does not branch.
 */
async function conversationOf(
  previousResponseId: string | undefined,
  principal: Principal,
  responses: ResponseQueries,
): Promise<string | undefined> {
  if (previousResponseId === undefined) return undefined;
  const messageId = messageIdOfResponse(previousResponseId);
  const previous = messageId ? await responses.find(messageId, principal) : undefined;
  if (!previous)
    throw new GatewayError('not_found', `previous response "${previousResponseId}" was not found`, {
      param: 'previous_response_id',
    });
  if (previous.continued)
    throw new GatewayError(
      'invalid_request',
      `previous_response_id: "${previousResponseId}" has already been continued; only the latest response of a conversation can be (branching is not supported)`,
      { param: 'previous_response_id' },
    );
  return previous.conversationId;
}

/** The stored parts of the output items the input refers to, by item id; ids not found are left out. */
async function storedItemsOf(
  itemIds: string[],
  principal: Principal,
  responses: ResponseQueries,
): Promise<Map<string, ContentPart[]>> {
  const found = new Map<string, ContentPart[]>();
  const answers = new Set(itemIds.flatMap((id) => parseItemId(id)?.messageId ?? []));
  for (const messageId of answers) {
    const stored = await responses.find(messageId, principal);
    if (!stored) continue;
    for (const { item, parts } of outputItemsOf(stored.content, messageId)) found.set(item.id, parts);
  }
  return found;
}

/** The messages, checked by the shared rules (image URLs, parts per role…). */
function checkedMessages(messages: ChatMessage[]): ChatMessage[] {
  const parsed = completionFieldSchemas.messages.safeParse(messages);
  if (parsed.success) return parsed.data;
  const problems = describeValidationIssues(parsed.error).map((problem) =>
    problem.startsWith('body:') ? `input:${problem.slice(5)}` : `input (as messages): ${problem}`,
  );
  throw new GatewayError('invalid_request', `invalid request: ${problems.join('; ')}`, {
    fields: problems,
    param: 'input',
  });
}

/** `POST /v1/responses`: OpenAI's Responses wire format over the one completion service. */
export async function handleCreateResponse(
  req: IncomingMessage,
  res: ServerResponse,
  principal: Principal,
  startedAt: number,
  deps: ResponsesDeps,
): Promise<void> {
  const parsed = parseResponsesBody(await readJsonBody(req, deps.maxBodyBytes));
  const { settings } = parsed;
  const conversationId = await conversationOf(parsed.previousResponseId, principal, deps.responses);
  const stored = await storedItemsOf(referencedItemIds(parsed.input), principal, deps.responses);
  const request: CompletionRequest = {
    ...parsed.base,
    messages: checkedMessages(toMessages(parsed.input, (id) => stored.get(id))),
    conversationId,
  };
  const signal = clientGoneSignal(req, res);
  const receivedAt = new Date();
  const createdAt = Math.floor(receivedAt.getTime() / 1000);
  const events = await deps.service.start(request, {
    principal,
    signal,
    startedAt,
    receivedAt,
    onRateLimit: (state) => {
      for (const [name, value] of Object.entries(openAiRateLimitHeaders(state))) res.setHeader(name, value);
    },
  });
  // Without `store` the conversation was never kept: there is none to name.
  const conversationHeaders = (source: AnswerSource): Record<string, string> =>
    settings.store ? { [conversationIdHeader]: source.conversationId } : {};

  const answerHeaders = (source: AnswerSource) => ({
    ...conversationHeaders(source),
    ...droppedParametersHeaders(source.droppedParameters),
  });
  // Made when the stream opens: a JSON answer needs neither.
  let sse!: SseWriter;
  let encoder!: ResponseStreamEncoder;
  await deliverCompletion(events, request.stream, {
    json: (completion) =>
      sendJson(res, 200, responseOf(completion, createdAt, settings), answerHeaders(completion)),
    // As on every surface, a failure before the stream opened is a plain JSON error with its
    // status, which the clients raise as their typed errors.
    refuse: (error) => sendOpenAIError(res, error),
    open: (source) => {
      sse = new SseWriter(res);
      sse.open(answerHeaders(source));
      encoder = new ResponseStreamEncoder(
        (type, payload) => sse.writeNamed(type, payload),
        source,
        createdAt,
        settings,
      );
      encoder.open();
    },
    fragment: (event) => {
      if (event.type === 'text-delta') encoder.text(event.text);
      else if (event.type === 'reasoning-delta') {
        if (event.text) encoder.reasoning(event.text);
      } else encoder.toolCall(event);
    },
    finish: (completion) => {
      encoder.finish(completion);
      sse.end();
    },
    // In-band, as OpenAI ends a response that failed: the client cannot take the cut answer
    // for a complete one.
    fail: (error) => {
      encoder.fail(error);
      sse.end();
    },
  });
}

const responseOf = (
  completion: CompletionResult,
  createdAt: number,
  settings: Parameters<typeof completedResponse>[3],
) =>
  completedResponse(
    completion,
    annotateOutput(
      outputItemsOf(completion.content, completion.responseMessageId).map(({ item }) => item),
      completion,
    ),
    createdAt,
    settings,
  );
