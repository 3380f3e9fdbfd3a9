import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../auth/principal.js';
import type { EmbeddingService } from '../../embeddings/embedding-service.js';
import { openAiRateLimitHeaders } from '../../limits/rate-limit-headers.js';
import { readJsonBody } from '../read-json-body.js';
import { clientGoneSignal } from '../rest-completions.js';
import { sendJson } from '../send-json.js';
import { parseEmbeddingsBody } from './embeddings-request.js';
import { toEmbeddingsResponse } from './embeddings-response.js';

export interface EmbeddingsRouteDeps {
  embeddings: EmbeddingService;
  maxBodyBytes: number;
}

/**
 * `POST /v1/embeddings`: OpenAI's wire format over the embeddings service. Failures are
 * thrown as GatewayErrors, which the server answers in OpenAI's error shape.
 */
export async function handleEmbeddings(
  req: IncomingMessage,
  res: ServerResponse,
  principal: Principal,
  startedAt: number,
  deps: EmbeddingsRouteDeps,
): Promise<void> {
  const { request, encodingFormat } = parseEmbeddingsBody(await readJsonBody(req, deps.maxBodyBytes));
  const result = await deps.embeddings.embed(request, {
    principal,
    signal: clientGoneSignal(req, res),
    startedAt,
    receivedAt: new Date(),
    // Set now, so that every later writeHead (the answer or the 429 itself) keeps them.
    onRateLimit: (state) => {
      for (const [name, value] of Object.entries(openAiRateLimitHeaders(state))) res.setHeader(name, value);
    },
  });
  sendJson(res, 200, toEmbeddingsResponse(result, encodingFormat));
}
