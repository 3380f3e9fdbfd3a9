import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal.js';
import type { CompletionEvent } from '../completions/completion-event.js';
import type { CompletionService } from '../completions/completion-service.js';
import { deliverCompletion } from '../completions/deliver-completion.js';
import {
  type CompletionRequest,
  describeValidationIssues,
  restCompletionBodySchema,
} from '../core/completion-request.js';
import { GatewayError } from '../core/gateway-error.js';
import { restRateLimitHeaders } from '../limits/rate-limit-headers.js';
import type { Clock } from '../routing/clock.js';
import { readJsonBody } from './read-json-body.js';
import { completionToRestJson, TextEventEncoder } from './rest-completion-json.js';
import { sendError, sendJson } from './send-json.js';
import { SseWriter } from './sse-writer.js';

export interface RestCompletionsDeps {
  service: CompletionService;
  clock: Clock;
  maxBodyBytes: number;
}

export function parseRestCompletionBody(body: unknown): CompletionRequest {
  const parsed = restCompletionBodySchema.safeParse(body);
  if (!parsed.success) {
    const problems = describeValidationIssues(parsed.error);
    throw new GatewayError('invalid_request', `invalid request: ${problems.join('; ')}`, {
      fields: problems,
    });
  }
  return parsed.data;
}

/** An AbortSignal that fires when the client disconnects before the response is finished. */
export function clientGoneSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client closed the connection'));
  });
  req.once('error', () => controller.abort(new Error('request stream failed')));
  return controller.signal;
}

/** `{"type":"tool_call","index","id","name","arguments"}`: id and name on a call's first fragment only (SPEC §6). */
const toolCallEvent = (event: Extract<CompletionEvent, { type: 'tool-call-delta' }>) => ({
  type: 'tool_call',
  index: event.index,
  ...(event.id === undefined ? {} : { id: event.id }),
  ...(event.name === undefined ? {} : { name: event.name }),
  arguments: event.arguments,
});

/** `POST /api/v1/completions` (SPEC §2). */
export async function handleRestCompletion(
  req: IncomingMessage,
  res: ServerResponse,
  principal: Principal,
  startedAt: number,
  deps: RestCompletionsDeps,
): Promise<void> {
  const request = parseRestCompletionBody(await readJsonBody(req, deps.maxBodyBytes));
  const signal = clientGoneSignal(req, res);
  const events = await deps.service.start(request, {
    principal,
    signal,
    startedAt,
    receivedAt: new Date(),
    // Set on the response now: every later writeHead (JSON, SSE or error) keeps them.
    onRateLimit: (state) => {
      for (const [name, value] of Object.entries(restRateLimitHeaders(state))) res.setHeader(name, value);
    },
  });

  // Made when the stream opens: a JSON answer needs neither.
  let sse!: SseWriter;
  let encoder!: TextEventEncoder;
  await deliverCompletion(events, request.stream, {
    json: (completion) => sendJson(res, 200, completionToRestJson(completion)),
    refuse: (error) => sendError(res, error),
    open: () => {
      sse = new SseWriter(res);
      encoder = new TextEventEncoder();
      sse.open();
    },
    fragment: (event) => {
      if (event.type === 'text-delta') sse.writeJson(encoder.encode(event.text, event.source));
      else if (event.type === 'reasoning-delta') {
        if (event.text) sse.write({ type: 'reasoning', text: event.text });
      } else sse.write(toolCallEvent(event));
    },
    finish: (completion) => {
      sse.write({ type: 'done', ...completionToRestJson(completion) });
      sse.end();
    },
    fail: (error) => {
      sse.write({ type: 'error', error: { code: error.code, message: error.message } });
      sse.end();
    },
  });
}
