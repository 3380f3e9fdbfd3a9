import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelCatalog } from '../../src/catalog/model-catalog.js';
import { CompletionService } from '../../src/completions/completion-service.js';
import { restCompletionBodySchema } from '../../src/core/completion-request.js';
import { attempts, completions, messages } from '../../src/db/schema.js';
import { MemoryConcurrencyLimiter } from '../../src/limits/concurrency-limiter.js';
import { MinuteRateLimiter } from '../../src/limits/minute-rate-limiter.js';
import { RequestLimiter } from '../../src/limits/request-limiter.js';
import { ProviderRegistry } from '../../src/providers/provider-registry.js';
import { systemClock } from '../../src/routing/clock.js';
import { HealthTracker } from '../../src/routing/health-tracker.js';
import { Router } from '../../src/routing/route-completion.js';
import { ApiKeyStore } from '../../src/store/api-key-store.js';
import { BudgetStore } from '../../src/store/budget-store.js';
import { CompletionRecorder } from '../../src/store/completion-recorder.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { ScriptedModel } from '../support/scripted-model.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('CompletionService', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pglite');
  });
  afterAll(() => db.drop());

  it('when the surface stops listening mid-answer, cancels the upstream and stores the partial answer', async () => {
    const slow = new ScriptedModel('slow', 'model', systemClock, [
      [{ text: 'partial ' }, { wait: 60_000 }, { text: 'never' }, { finish: {} }],
    ]);
    const recorder = new CompletionRecorder(db.database.db, pino({ level: 'silent' }));
    const service = new CompletionService({
      catalog: ModelCatalog.withBuiltIns(),
      registry: new ProviderRegistry([{ name: 'slow', configured: true, languageModel: () => slow }]),
      router: new Router(
        {
          timeoutMs: 120_000,
          ttftTimeoutMs: 30_000,
          idleTimeoutMs: 30_000,
          maxRetryAfterMs: 0,
          contentFilterFallback: false,
        },
        systemClock,
        new HealthTracker(systemClock),
      ),
      conversations: new ConversationStore(db.database.db),
      recorder,
      clock: systemClock,
      defaultStrategy: 'ordered',
      limiter: new RequestLimiter({
        rates: new MinuteRateLimiter(undefined, 'test:'),
        concurrency: new MemoryConcurrencyLimiter(),
        budgets: new BudgetStore(db.database.db, 60_000),
        logger: pino({ level: 'silent' }),
      }),
    });
    const key = await new ApiKeyStore(db.database.db).create('test', ['user']);
    const request = restCompletionBodySchema.parse({
      messages: [{ role: 'user', content: 'hi' }],
      models: ['slow/model'],
      stream: true,
    });
    const run = await service.start(request, {
      principal: { keyId: key.id, name: 'test', admin: false },
      signal: new AbortController().signal,
      startedAt: systemClock.now(),
      receivedAt: new Date(),
    });
    const events = run.events();
    const first = await events.next();
    expect(first.value).toMatchObject({ type: 'text-delta', text: 'partial ' });
    const started = performance.now();
    await events.return?.(undefined);
    // The upstream's 60 s wait was cut, not sat out.
    expect(performance.now() - started).toBeLessThan(5_000);

    await recorder.whenIdle();
    const [row] = await db.database.db.select().from(completions);
    expect(row).toMatchObject({
      status: 'incomplete',
      errorCode: 'client_closed',
      provider: 'slow',
      usageEstimated: true,
    });
    const stored = await db.database.db.select().from(messages).where(eq(messages.role, 'assistant'));
    expect(stored).toMatchObject([{ content: [{ type: 'text', text: 'partial ' }], complete: false }]);
    expect(await db.database.db.select().from(attempts)).toMatchObject([{ outcome: 'incomplete' }]);
  });
});
