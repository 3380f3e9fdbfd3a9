import type { ServerResponse } from 'node:http';
import type { Principal } from '../../auth/principal.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { ResponseQueries, StoredResponse } from '../../store/response-queries.js';
import { sendJson } from '../send-json.js';
import { outputItemsOf } from './output-items.js';
import { messageIdOfResponse } from './response-ids.js';
import { storedSettings, toResponseObject, toResponsesUsage } from './response-object.js';

const zeroUsage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0 };

/**
 * A stored answer as a response object. What the request asked for (instructions, tools,
 * sampling settings) is not stored with the answer, so those fields show their defaults.
 */
function storedResponseObject(stored: StoredResponse) {
  const status = stored.complete ? 'completed' : 'failed';
  const createdAt = stored.completion?.createdAt ?? stored.createdAt;
  return toResponseObject(
    {
      source: {
        provider: stored.provider ?? '',
        model: stored.model ?? '',
        responseMessageId: stored.messageId,
      },
      createdAt: Math.floor(createdAt.getTime() / 1000),
      status,
      output: outputItemsOf(
        stored.content,
        stored.messageId,
        stored.complete ? 'completed' : 'incomplete',
      ).map(({ item }) => item),
      usage: toResponsesUsage(stored.completion ?? zeroUsage),
      error: stored.complete
        ? undefined
        : {
            code: stored.completion?.errorCode ?? 'upstream_failed',
            message: 'the answer was cut short: its provider failed after it had started',
          },
      switchyard: {
        provider: stored.provider,
        conversation_id: stored.conversationId,
        response_message_id: stored.messageId,
      },
    },
    storedSettings,
  );
}

/** `GET /v1/responses/{id}`: a stored response of the caller's key. */
export async function handleGetResponse(
  res: ServerResponse,
  responseId: string,
  principal: Principal,
  responses: ResponseQueries,
): Promise<void> {
  const messageId = messageIdOfResponse(responseId);
  const stored = messageId ? await responses.find(messageId, principal) : undefined;
  if (!stored)
    throw new GatewayError('not_found', `no response "${responseId}" was found`, { param: 'response_id' });
  sendJson(res, 200, storedResponseObject(stored));
}
