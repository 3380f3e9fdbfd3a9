import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.js';
import { picoToDollars } from '../catalog/cost.js';
import { GatewayError } from '../core/gateway-error.js';
import type { BudgetStore } from '../store/budget-store.js';
import type { ConcurrencyLimiter, ReleaseSlot } from './concurrency-limiter.js';
import { hasAnyLimit } from './key-limits.js';
import type { MinuteRateLimiter, RateKind } from './minute-rate-limiter.js';
import type { RateLimitState, RateWindow } from './rate-limit-state.js';
import type { RequestBounds } from './request-bounds.js';

/** What a request actually used, to settle its admission. */
export interface ActualUse {
  tokens: number;
  costPico: number;
}

/** A request let through: its rate-limit state, and what must be undone when it ends. */
export interface Admission {
  rateLimit: RateLimitState;
  /** Call once when the request ends in any way; never throws. */
  finish(actual: ActualUse): Promise<void>;
}

const unlimited: Admission = { rateLimit: {}, finish: async () => {} };

export interface RequestLimiterDeps {
  rates: MinuteRateLimiter;
  concurrency: ConcurrencyLimiter;
  budgets: BudgetStore;
  logger: Logger;
}

const retryAfter = (window: RateWindow): number => Math.max(1, Math.ceil(window.resetMs / 1000));

/**
 * Admits a request against its key's limits, in order: concurrent requests, requests per
 * minute, tokens per minute (the request's bound, corrected when it ends), then the budget
 * reservation in the database. A refusal undoes what was taken before it. Keys without
 * limits skip all of it.
 */
export class RequestLimiter {
  constructor(private readonly deps: RequestLimiterDeps) {}

  /**
   * Throws 429 `rate_limited` or 402 `budget_exceeded`. `onRateLimit` hears the windows
   * before a 429 is thrown too, so the refusal carries the headers.
   */
  async admit(
    principal: Principal,
    /** Computed only for a key that has limits. */
    boundsOf: () => RequestBounds,
    onRateLimit: ((state: RateLimitState) => void) | undefined,
  ): Promise<Admission> {
    const { limits } = principal;
    if (!limits || !hasAnyLimit(limits)) return unlimited;
    const bounds = boundsOf();
    const { rates, concurrency, budgets } = this.deps;
    const keyId = principal.keyId;
    const undo: (() => Promise<void>)[] = [];
    const rollback = async () => {
      for (const step of undo.reverse()) await step().catch((error) => this.#warn(error, keyId));
    };
    const state: RateLimitState = {};

    try {
      let release: ReleaseSlot | undefined;
      if (limits.maxConcurrentRequests !== undefined) {
        release = await concurrency.acquire(keyId, limits.maxConcurrentRequests);
        if (!release) {
          throw new GatewayError(
            'rate_limited',
            `this API key already has ${limits.maxConcurrentRequests} requests in flight, its limit`,
            { limit: 'concurrent_requests' },
            1,
          );
        }
        undo.push(release);
      }
      const count = async (kind: RateKind, limit: number, points: number, what: string) => {
        const counted = await rates.consume(kind, keyId, limit, points);
        state[kind] = counted.window;
        if (!counted.allowed) {
          onRateLimit?.(state);
          throw new GatewayError(
            'rate_limited',
            `this API key's limit of ${limit} ${what} per minute is reached`,
            { limit: `${kind}_per_minute` },
            retryAfter(counted.window),
          );
        }
        undo.push(() => rates.adjust(kind, keyId, limit, -points));
      };
      if (limits.requestsPerMinute !== undefined)
        await count('requests', limits.requestsPerMinute, 1, 'requests');
      if (limits.tokensPerMinute !== undefined) {
        if (bounds.tokens > limits.tokensPerMinute) {
          throw new GatewayError(
            'rate_limited',
            `this request may use up to ${bounds.tokens} tokens, more than this API key's limit of ${limits.tokensPerMinute} tokens per minute; lower maxTokens`,
            { limit: 'tokens_per_minute' },
            60,
          );
        }
        await count('tokens', limits.tokensPerMinute, bounds.tokens, 'tokens');
      }
      const reservation =
        limits.budgetUsd === undefined ? undefined : await budgets.reserve(keyId, bounds.costPico);
      if (limits.budgetUsd !== undefined && reservation === undefined) {
        throw new GatewayError(
          'budget_exceeded',
          `this API key's ${limits.budgetPeriod === 'total' ? '' : `${limits.budgetPeriod} `}budget of $${limits.budgetUsd} cannot cover this request's largest possible cost ($${picoToDollars(bounds.costPico)}); lower maxTokens or wait for requests in flight`,
          {
            budgetUsd: limits.budgetUsd,
            budgetPeriod: limits.budgetPeriod,
            requiredUsd: picoToDollars(bounds.costPico),
          },
        );
      }
      onRateLimit?.(state);

      let finished = false;
      return {
        rateLimit: state,
        finish: async (actual) => {
          if (finished) return;
          finished = true;
          await Promise.all([
            release?.(),
            limits.tokensPerMinute !== undefined
              ? rates.adjust('tokens', keyId, limits.tokensPerMinute, actual.tokens - bounds.tokens)
              : undefined,
            reservation !== undefined ? budgets.settle(keyId, reservation, actual.costPico) : undefined,
          ]).catch((error) => this.#warn(error, keyId));
        },
      };
    } catch (error) {
      await rollback();
      throw error;
    }
  }

  #warn(error: unknown, keyId: string): void {
    this.deps.logger.error({ err: error, keyId }, 'could not settle a request against its key limits');
  }
}
