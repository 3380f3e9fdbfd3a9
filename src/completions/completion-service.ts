import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { computeCost } from '../catalog/cost.js';
import type { ModelCatalog } from '../catalog/model-catalog.js';
import type { CompletionRequest } from '../core/completion-request.js';
import { GatewayError } from '../core/gateway-error.js';
import type { ChatMessage } from '../core/messages.js';
import { countMessageTokens, countTokens } from '../core/token-count.js';
import type { Usage } from '../core/usage.js';
import { checkModelAllowlist } from '../limits/model-allowlist.js';
import type { RateLimitState } from '../limits/rate-limit-state.js';
import { requestBounds } from '../limits/request-bounds.js';
import type { ActualUse, Admission, RequestLimiter } from '../limits/request-limiter.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { Attempt } from '../routing/attempt.js';
import type { Clock } from '../routing/clock.js';
import type { Candidate, Router } from '../routing/route-completion.js';
import { selectCandidates } from '../routing/select-candidates.js';
import type { CompletionRecorder } from '../store/completion-recorder.js';
import type { ConversationStore } from '../store/conversation-store.js';
import type { CompletionEvent } from './completion-event.js';
import { buildCompletionRecord } from './completion-record.js';
import type { AnswerSource, CompletionResult } from './completion-result.js';
import { titleFromMessages } from './conversation-title.js';

export interface CompletionServiceDeps {
  catalog: ModelCatalog;
  registry: ProviderRegistry;
  router: Router;
  conversations: ConversationStore;
  recorder: CompletionRecorder;
  clock: Clock;
  limiter: RequestLimiter;
}

export interface CompletionContext {
  principal: Principal;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** `clock.now()` when the request arrived. */
  startedAt: number;
  /** Wall-clock arrival, for stored timestamps. */
  receivedAt: Date;
  /**
   * Hears the key's rate-limit windows once they are counted (before a 429 is thrown, too),
   * so the surface can send them as headers (`restRateLimitHeaders`, `openAiRateLimitHeaders`).
   */
  onRateLimit?: (state: RateLimitState) => void;
}

/** The conversation a completion belongs to. */
export interface ConversationTarget {
  id: string;
  title: string;
  isNew: boolean;
  history: ChatMessage[];
}

/**
 * The one completion path every surface uses: resolve the conversation, choose the
 * candidates, route, and record the outcome without delaying the answer.
 */
export class CompletionService {
  constructor(private readonly deps: CompletionServiceDeps) {}

  /**
   * Checks what can be checked before any upstream call (allowlist, conversation,
   * eligibility, the key's rate limits and budget) and throws a GatewayError when the
   * request cannot go ahead; otherwise returns the events. The caller must iterate them to
   * the end (or `return()` them): that is what releases the key's reservation.
   */
  async start(
    request: CompletionRequest,
    context: CompletionContext,
  ): Promise<AsyncGenerator<CompletionEvent>> {
    checkModelAllowlist(context.principal.limits?.allowedModels, [
      ...request.models,
      ...request.fallbackModels,
    ]);
    const conversation = await this.#resolveConversation(request, context.principal);
    const messages = [...conversation.history, ...request.messages];
    const promptTokens = countMessageTokens(messages);
    const candidates = selectCandidates(
      {
        models: request.models,
        fallbackModels: request.fallbackModels,
        messages,
        promptTokens,
        maxTokens: request.maxTokens,
        search: request.search,
      },
      this.deps.catalog,
      this.deps.registry,
    );
    const bounds = requestBounds(
      candidates.map((candidate) => candidate.info),
      promptTokens,
      request.maxTokens,
    );
    const admission = await this.deps.limiter.admit(context.principal, bounds, context.onRateLimit);
    return releaseIfNeverStarted(
      this.#run(request, context, conversation, messages, candidates, admission),
      admission,
      context.signal,
    );
  }

  async #resolveConversation(request: CompletionRequest, principal: Principal): Promise<ConversationTarget> {
    if (!request.conversationId) {
      return { id: randomUUID(), title: titleFromMessages(request.messages), isNew: true, history: [] };
    }
    // A conversation answered a moment ago may still be in the write queue.
    await this.deps.recorder.whenIdle();
    const stored = await this.deps.conversations.load(request.conversationId, principal);
    if (!stored) throw new GatewayError('not_found', `conversation ${request.conversationId} was not found`);
    return { id: stored.id, title: stored.title, isNew: false, history: stored.messages };
  }

  async *#run(
    request: CompletionRequest,
    context: CompletionContext,
    conversation: ConversationTarget,
    messages: ChatMessage[],
    candidates: Candidate[],
    admission: Admission,
  ): AsyncGenerator<CompletionEvent> {
    const { clock, recorder } = this.deps;
    const responseMessageId = randomUUID();
    let source: AnswerSource | undefined;
    let committed: { candidate: Candidate; ttftMs: number } | undefined;
    let text = '';
    let recorded = false;
    const record = (result: Omit<Parameters<typeof buildCompletionRecord>[0], 'context' | 'request'>) => {
      recorded = true;
      recorder.record(buildCompletionRecord({ ...result, context, request }));
    };
    const estimateUsage = (): Usage => ({
      promptTokens: countMessageTokens(messages),
      completionTokens: countTokens(text),
      reasoningTokens: 0,
      cachedTokens: 0,
      estimated: true,
    });

    const routing = this.deps.router.route(
      {
        candidates,
        messages,
        temperature: request.temperature,
        maxTokens: request.maxTokens,
        maxRetries: request.maxRetries,
        startedAt: context.startedAt,
      },
      context.signal,
    );
    let attemptsSoFar: Attempt[] = [];
    try {
      for await (const event of routing) {
        if (event.type === 'commit') {
          committed = { candidate: event.candidate, ttftMs: event.ttftMs };
          source = {
            provider: event.candidate.info.provider,
            model: event.candidate.info.model,
            responseMessageId,
            conversationId: conversation.id,
          };
        } else if (event.type === 'text-delta') {
          text += event.text;
          yield { type: 'text-delta', text: event.text, source: source! };
        } else if (event.type === 'finish') {
          attemptsSoFar = event.attempts;
          const usage = event.usage ?? estimateUsage();
          const completion: CompletionResult = {
            ...source!,
            id: randomUUID(),
            conversationTitle: conversation.title,
            text,
            finishReason: event.finishReason,
            usage,
            cost: computeCost(usage, event.candidate.info.prices),
            unpriced: event.candidate.info.prices === undefined,
            latencyMs: Math.round(clock.now() - context.startedAt),
            ttftMs: event.ttftMs,
            attempts: event.attempts,
          };
          record({ conversation, outcome: { kind: 'succeeded', completion } });
          // Settled before the final event, so the key's next request sees the released budget.
          await admission.finish(actualUse(usage, completion.cost.total));
          yield { type: 'done', completion };
          return;
        } else {
          attemptsSoFar = event.attempts;
          const partial = event.committed ? { ...event.committed, text, usage: estimateUsage() } : undefined;
          record({
            conversation,
            outcome: {
              kind: 'failed',
              error: event.error,
              attempts: event.attempts,
              partial,
              responseMessageId,
              latencyMs: Math.round(clock.now() - context.startedAt),
            },
          });
          await admission.finish(partialUse(partial));
          yield { type: 'error', error: event.error, afterText: partial !== undefined };
          return;
        }
      }
    } finally {
      // The surface stopped listening (its client went away) before the route ended.
      if (!recorded) {
        const partial = committed ? { ...committed, text, usage: estimateUsage() } : undefined;
        record({
          conversation,
          outcome: {
            kind: 'failed',
            error: new GatewayError('client_closed', 'the client closed the request'),
            attempts: attemptsSoFar,
            partial,
            responseMessageId,
            latencyMs: Math.round(clock.now() - context.startedAt),
          },
        });
        try {
          await routing.return(undefined);
        } finally {
          await admission.finish(partialUse(partial));
        }
      }
    }
  }
}

const actualUse = (usage: Usage, costPico: number): ActualUse => ({
  tokens: usage.promptTokens + usage.completionTokens,
  costPico,
});

/** A failure is charged for the answer it had sent, as the recorder bills it; nothing otherwise. */
const partialUse = (partial: { candidate: Candidate; usage: Usage } | undefined): ActualUse =>
  partial
    ? actualUse(partial.usage, computeCost(partial.usage, partial.candidate.info.prices).total)
    : { tokens: 0, costPico: 0 };

/**
 * A generator's body (and so its `finally`) never runs if it is closed, or dropped after
 * its client left, before its first `next()`: release the key's admission then too.
 */
function releaseIfNeverStarted(
  events: AsyncGenerator<CompletionEvent>,
  admission: Admission,
  signal: AbortSignal,
): AsyncGenerator<CompletionEvent> {
  let started = false;
  const release = () => {
    if (!started) void admission.finish({ tokens: 0, costPico: 0 });
  };
  const next = events.next.bind(events);
  const close = events.return.bind(events);
  const fail = events.throw.bind(events);
  events.next = (...args) => {
    started = true;
    return next(...args);
  };
  events.return = (value) => {
    release();
    started = true;
    return close(value);
  };
  events.throw = (error) => {
    release();
    started = true;
    return fail(error);
  };
  if (signal.aborted) release();
  else signal.addEventListener('abort', release, { once: true });
  return events;
}
