import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { ModelCatalog } from '../../src/catalog/model-catalog.js';
import type { CompletionEvent } from '../../src/completions/completion-event.js';
import { CompletionService } from '../../src/completions/completion-service.js';
import { parseModelRef } from '../../src/core/model-ref.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { MemoryConcurrencyLimiter } from '../../src/limits/concurrency-limiter.js';
import { MinuteRateLimiter } from '../../src/limits/minute-rate-limiter.js';
import { RequestLimiter } from '../../src/limits/request-limiter.js';
import { takesEverySamplingHint } from '../../src/providers/parameter-support.js';
import type { LanguageModel, ModelCall, ProviderStreamPart } from '../../src/providers/provider.js';
import { ProviderRegistry } from '../../src/providers/provider-registry.js';
import { systemClock } from '../../src/routing/clock.js';
import { HealthTracker } from '../../src/routing/health-tracker.js';
import { Router } from '../../src/routing/route-completion.js';
import { ApiKeyStore } from '../../src/store/api-key-store.js';
import { BudgetStore } from '../../src/store/budget-store.js';
import { CompletionRecorder } from '../../src/store/completion-recorder.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { createTestDatabase, drivers, type TestDatabase } from '../support/test-database.js';

/**
 * A model that sends one fragment, then holds the stream open until the call is aborted,
 * like an upstream still generating when the client leaves. (The built-in echo model
 * answers at once, so an HTTP client cannot leave in the middle of it.)
 */
class HangingModel implements LanguageModel {
  readonly provider = 'slow';
  readonly model = 'hang';
  readonly parameterSupport = takesEverySamplingHint;

  async *stream(call: ModelCall): AsyncIterable<ProviderStreamPart> {
    yield { type: 'text-delta', text: 'first words ' };
    await new Promise<void>((resolve) => {
      if (call.signal.aborted) resolve();
      call.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

const request = (maxTokens: number) => ({
  messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'talk slowly' }] }],
  models: [parseModelRef('slow/hang')],
  fallbackModels: [],
  stream: true,
  maxTokens,
  maxRetries: 0,
  search: false,
});

describe.each(drivers)('a request that ends early releases its key limits on %s', (driver) => {
  let testDb: TestDatabase;
  let keys: ApiKeyStore;
  let service: CompletionService;
  let recorder: CompletionRecorder;

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    await migrateDatabase(testDb.database);
    const { db } = testDb.database;
    const logger = pino({ level: 'silent' });
    keys = new ApiKeyStore(db);
    recorder = new CompletionRecorder(db, logger);
    service = new CompletionService({
      catalog: ModelCatalog.withBuiltIns([{ id: 'slow/hang', inputPricePerMTok: 1, outputPricePerMTok: 2 }]),
      registry: new ProviderRegistry([
        { name: 'slow', configured: true, languageModel: () => new HangingModel() },
      ]),
      router: new Router(
        {
          timeoutMs: 60_000,
          ttftTimeoutMs: 60_000,
          idleTimeoutMs: 60_000,
          maxRetryAfterMs: 0,
          contentFilterFallback: false,
        },
        systemClock,
        new HealthTracker(systemClock),
      ),
      defaultStrategy: 'ordered',
      conversations: new ConversationStore(db),
      recorder,
      clock: systemClock,
      limiter: new RequestLimiter({
        rates: new MinuteRateLimiter(undefined, 'test:'),
        concurrency: new MemoryConcurrencyLimiter(),
        budgets: new BudgetStore(db, 60_000),
        logger,
      }),
    });
  });
  afterAll(async () => {
    await recorder.whenIdle();
    await testDb.drop();
  });

  const principalWith = async (budgetUsd: string) => {
    const created = await keys.create('slow', ['user'], {
      limits: { budgetUsd, maxConcurrentRequests: 1, tokensPerMinute: 1000 },
    });
    return { id: created.id, principal: (await keys.authenticate(created.secret)) as Principal };
  };

  const begin = async (principal: Principal, controller = new AbortController()) => {
    const run = await service.start(request(100), {
      principal,
      signal: controller.signal,
      startedAt: systemClock.now(),
      receivedAt: new Date(),
    });
    const events = run.events();
    const first = await events.next();
    expect(first.value).toMatchObject({ type: 'text-delta', text: 'first words ' });
    return { events, controller };
  };

  const drain = async (events: AsyncIterable<CompletionEvent>) => {
    const rest: CompletionEvent[] = [];
    for await (const event of events) rest.push(event);
    return rest;
  };

  it('holds the reservation and the concurrency slot while the answer streams', async () => {
    const { id, principal } = await principalWith('1');
    const { events, controller } = await begin(principal);
    expect(Number((await keys.get(id))!.budget!.reservedUsd)).toBeGreaterThan(0);
    await expect(begin(principal)).rejects.toMatchObject({ code: 'rate_limited', status: 429 });
    controller.abort();
    await drain(events);
  });

  it('releases them and charges only the text sent when the client disconnects', async () => {
    const { id, principal } = await principalWith('1');
    const { events, controller } = await begin(principal);
    controller.abort(new Error('client closed the connection'));
    const rest = await drain(events);
    expect(rest.at(-1)).toMatchObject({ type: 'error', afterText: true });

    const budget = (await keys.get(id))!.budget!;
    expect(budget.reservedUsd).toBe('0');
    expect(Number(budget.spentUsd)).toBeGreaterThan(0);
    // The partial answer is billed exactly as it is stored.
    await recorder.whenIdle();
    const stored = await testDb.database.db.query.completions.findFirst({
      where: (completions, { eq }) => eq(completions.apiKeyId, id),
    });
    expect(stored?.status).toBe('incomplete');
    expect(Number(stored?.totalCost)).toBe(Number(budget.spentUsd));

    // The slot is free again.
    const next = await begin(principal);
    next.controller.abort();
    await drain(next.events);
  });

  it('releases them when the surface stops listening without reading to the end', async () => {
    const { id, principal } = await principalWith('1');
    const { events } = await begin(principal);
    await events.return?.(undefined);
    expect((await keys.get(id))!.budget!.reservedUsd).toBe('0');
    const next = await begin(principal);
    await next.events.return?.(undefined);
  });

  it('releases them when the events are closed, or the client leaves, before the first read', async () => {
    const { id, principal } = await principalWith('1');
    const context = (controller: AbortController) => ({
      principal,
      signal: controller.signal,
      startedAt: systemClock.now(),
      receivedAt: new Date(),
    });
    const closed = await service.start(request(100), context(new AbortController()));
    closed.cancel();
    await closed.settled;
    await expect.poll(async () => (await keys.get(id))!.budget!.reservedUsd).toBe('0');

    const controller = new AbortController();
    await service.start(request(100), context(controller));
    controller.abort();
    await expect.poll(async () => (await keys.get(id))!.budget!.reservedUsd).toBe('0');
    // The concurrency slot (limit 1) is free again.
    const next = await begin(principal);
    await next.events.return?.(undefined);
  });

  it('undoes the slot and the token count when the budget refuses the request', async () => {
    const { id, principal } = await principalWith('0.000000000001');
    await expect(begin(principal)).rejects.toMatchObject({ code: 'budget_exceeded', status: 402 });
    await expect(begin(principal)).rejects.toMatchObject({ code: 'budget_exceeded' });
    expect((await keys.get(id))!.budget).toMatchObject({ reservedUsd: '0', spentUsd: '0' });
  });
});
