import { describe, expect, it } from 'vitest';
import type { CompletionEvent } from '../../src/completions/completion-event.js';
import { CompletionRun } from '../../src/completions/completion-run.js';
import { parseModelRef } from '../../src/core/model-ref.js';
import type { ActualUse } from '../../src/limits/request-limiter.js';
import { HealthTracker } from '../../src/routing/health-tracker.js';
import { PromptSize } from '../../src/routing/prompt-size.js';
import { Router } from '../../src/routing/route-completion.js';
import { emptyExplanation } from '../../src/routing/route-explanation.js';
import type { CompletionRecord } from '../../src/store/completion-recorder.js';
import { FakeClock } from '../support/fake-clock.js';
import { candidate, type Step } from '../support/scripted-model.js';

/** The run's state machine on virtual time: however it ends, it records once and settles once. */
function setup(scripts: Step[][]) {
  const clock = new FakeClock();
  const router = new Router(
    {
      timeoutMs: 60_000,
      ttftTimeoutMs: 5_000,
      idleTimeoutMs: 5_000,
      maxRetryAfterMs: 1_000,
      contentFilterFallback: false,
    },
    clock,
    new HealthTracker(clock),
    () => 0,
  );
  const records: CompletionRecord[] = [];
  const settlements: ActualUse[] = [];
  const client = new AbortController();
  const model = candidate('p/model', clock, scripts);
  const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }];
  const run = new CompletionRun(
    { router, clock, recorder: { record: (record) => records.push(record) } },
    {
      request: {
        messages,
        models: [parseModelRef('p/model')],
        fallbackModels: [],
        stream: true,
        maxRetries: 0,
        search: false,
      },
      context: {
        principal: { keyId: '00000000-0000-4000-8000-000000000000', name: 'k', admin: false },
        signal: client.signal,
        startedAt: 0,
        receivedAt: new Date(0),
      },
      conversation: { id: '00000000-0000-4000-8000-000000000001', title: 'hi', isNew: true, history: [] },
      plan: {
        candidates: [model.candidate],
        messages,
        maxRetries: 0,
        startedAt: 0,
        streamed: true,
        strategy: 'ordered',
        explanation: emptyExplanation('ordered'),
        prompt: new PromptSize(messages),
      },
      admission: {
        rateLimit: {},
        finish: async (used) => {
          settlements.push(used);
        },
      },
      grounding: undefined,
    },
  );
  const readAll = async (events: AsyncIterable<CompletionEvent> = run) => {
    const seen: CompletionEvent[] = [];
    await clock.run(
      (async () => {
        for await (const event of events) seen.push(event);
      })(),
    );
    return seen;
  };
  return { clock, run, client, records, settlements, readAll, model };
}

describe('CompletionRun', () => {
  it('settles once with what the answer used when it completes, before the done event', async () => {
    const { run, records, settlements, readAll } = setup([[{ text: 'Hello' }, { finish: {} }]]);
    const events = await readAll();
    expect(events.map((e) => e.type)).toEqual(['text-delta', 'done']);
    expect(settlements).toEqual([{ tokens: 15, costPico: 10 * 1_000_000 + 5 * 2_000_000 }]);
    expect(records.map((r) => r.completion.status)).toEqual(['succeeded']);
    run.cancel();
    await run.settled;
    expect(settlements).toHaveLength(1);
  });

  it('settles once, charging nothing, when every attempt failed before any text', async () => {
    const { records, settlements, readAll } = setup([[{ fail: { kind: 'server_error', message: 'down' } }]]);
    const events = await readAll();
    expect(events).toMatchObject([{ type: 'error', afterText: false, error: { code: 'upstream_failed' } }]);
    expect(settlements).toEqual([{ tokens: 0, costPico: 0 }]);
    expect(records.map((r) => r.completion.status)).toEqual(['failed']);
  });

  it('settles once and keeps the partial answer when the client goes away mid-answer', async () => {
    const { client, clock, records, settlements, run } = setup([
      [{ text: 'Hel' }, { wait: 60_000 }, { finish: {} }],
    ]);
    const events = run.events();
    const first = await clock.run(events.next());
    expect(first.value).toMatchObject({ type: 'text-delta', text: 'Hel' });
    client.abort();
    const rest: CompletionEvent[] = [];
    await clock.run(
      (async () => {
        for await (const event of events) rest.push(event);
      })(),
    );
    expect(rest).toMatchObject([{ type: 'error', afterText: true, error: { code: 'client_closed' } }]);
    expect(records.map((r) => r.completion.status)).toEqual(['incomplete']);
    expect(settlements).toHaveLength(1);
    expect(settlements[0]!.tokens).toBeGreaterThan(0);
  });

  it('settles once when its reader stops listening mid-answer, and the upstream is cut', async () => {
    const { clock, records, settlements, run, model } = setup([
      [{ text: 'Hel' }, { wait: 60_000 }, { finish: {} }],
    ]);
    const events = run.events();
    await clock.run(events.next());
    await clock.run(events.return!());
    expect(settlements).toHaveLength(1);
    expect(records.map((r) => r.completion.status)).toEqual(['incomplete']);
    expect(model.model.calls).toHaveLength(1);
    expect(clock.now()).toBeLessThan(60_000);
  });

  it('settles once without any upstream call when it is cancelled, or its client leaves, before it started', async () => {
    const cancelled = setup([[{ text: 'never' }, { finish: {} }]]);
    cancelled.run.cancel();
    cancelled.run.cancel();
    await cancelled.run.settled;
    expect(await cancelled.readAll(cancelled.run.events())).toEqual([]);
    expect(cancelled.settlements).toEqual([{ tokens: 0, costPico: 0 }]);
    expect(cancelled.model.model.calls).toHaveLength(0);
    expect(cancelled.records).toEqual([]);

    const left = setup([[{ text: 'never' }, { finish: {} }]]);
    left.client.abort();
    await left.run.settled;
    expect(left.settlements).toHaveLength(1);
    expect(left.model.model.calls).toHaveLength(0);
  });
});
