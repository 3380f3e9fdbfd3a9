import { describe, expect, it } from 'vitest';
import { HealthTracker } from '../../src/routing/health-tracker.js';
import { PromptSize } from '../../src/routing/prompt-size.js';
import {
  type Candidate,
  type RouteEvent,
  Router,
  type RouterSettings,
} from '../../src/routing/route-completion.js';
import { emptyExplanation } from '../../src/routing/route-explanation.js';
import { FakeClock } from '../support/fake-clock.js';
import { candidate, type Step } from '../support/scripted-model.js';

const settings: RouterSettings = {
  timeoutMs: 60_000,
  ttftTimeoutMs: 5_000,
  idleTimeoutMs: 10_000,
  maxRetryAfterMs: 10_000,
  contentFilterFallback: false,
};
const ok: Step[] = [{ text: 'Hello' }, { text: ' world' }, { finish: {} }];
const fail = (
  kind: 'server_error' | 'rate_limited' | 'context_length_exceeded' | 'bad_request' | 'content_filtered',
  retryAfterMs?: number,
): Step[] => [
  {
    fail: {
      kind,
      message: kind,
      status: kind === 'rate_limited' ? 429 : kind === 'server_error' ? 500 : 400,
      retryAfterMs,
    },
  },
];

function setup(options: { random?: () => number; settings?: Partial<RouterSettings> } = {}) {
  const clock = new FakeClock();
  const health = new HealthTracker(clock);
  const router = new Router(
    { ...settings, ...options.settings },
    clock,
    health,
    options.random ?? (() => 0.5),
  );
  const route = async (
    candidates: Candidate[],
    maxRetries = 2,
    signal = new AbortController().signal,
    streamed = true,
    messages: Candidate['messages'] = [],
  ) => {
    const events: RouteEvent[] = [];
    const run = (async () => {
      for await (const event of router.route(
        {
          candidates,
          messages: messages ?? [],
          maxRetries,
          startedAt: clock.now(),
          streamed,
          strategy: 'ordered',
          explanation: emptyExplanation('ordered'),
          prompt: new PromptSize([]),
        },
        signal,
      )) {
        events.push(event);
      }
    })();
    await clock.run(run);
    const last = events.at(-1)!;
    const text = events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
    return { events, last, text };
  };
  return { clock, health, router, route };
}

describe('Router', () => {
  it('answers from the first candidate that succeeds, keeping every attempt', async () => {
    const { clock, route } = setup();
    const a = candidate('p/a', clock, [fail('server_error')]);
    const b = candidate('p/b', clock, [ok]);
    const { last, text } = await route([a.candidate, b.candidate], 0);
    expect(text).toBe('Hello world');
    expect(last).toMatchObject({ type: 'finish', candidate: { info: { id: 'p/b' } } });
    expect(last.type === 'finish' && last.attempts.map((x) => [x.model, x.outcome, x.errorKind])).toEqual([
      ['a', 'failed', 'server_error'],
      ['b', 'succeeded', undefined],
    ]);
  });

  it('retries a flaky model up to maxRetries with jittered exponential backoff', async () => {
    const { clock, route } = setup({ random: () => 0.5 });
    const flaky = candidate('p/flaky', clock, [fail('server_error'), fail('server_error'), ok]);
    const { last } = await route([flaky.candidate], 2);
    expect(last.type).toBe('finish');
    // Full jitter with random 0.5: 0.5·250·2^0 = 125 ms, then 0.5·250·2^1 = 250 ms.
    expect(flaky.model.calls.map((c) => c.at)).toEqual([0, 125, 375]);
  });

  it('moves on after maxRetries retries, and never retries with maxRetries 0', async () => {
    const { clock, route } = setup();
    const flaky = candidate('p/flaky', clock, [fail('server_error'), fail('server_error'), ok]);
    const next = candidate('p/next', clock, [ok]);
    await route([flaky.candidate, next.candidate], 1);
    expect(flaky.model.calls).toHaveLength(2);
    expect(next.model.calls).toHaveLength(1);

    const once = candidate('p/once', clock, [fail('server_error')]);
    const { last } = await route([once.candidate], 0);
    expect(once.model.calls).toHaveLength(1);
    expect(last).toMatchObject({ type: 'failed', error: { code: 'upstream_failed', status: 502 } });
  });

  it('moves on at once after a non-retryable failure', async () => {
    const { clock, route } = setup();
    const tooLong = candidate('p/small', clock, [fail('context_length_exceeded')]);
    const big = candidate('p/big', clock, [ok]);
    await route([tooLong.candidate, big.candidate], 5);
    expect(tooLong.model.calls).toHaveLength(1);
    expect(big.model.calls[0]!.at).toBe(0);
  });

  it('waits at least Retry-After before retrying, and moves on when it passes the cap', async () => {
    const { clock, route } = setup();
    const limited = candidate('p/limited', clock, [fail('rate_limited', 3_000), ok]);
    await route([limited.candidate], 2);
    expect(limited.model.calls.map((c) => c.at)).toEqual([0, 3_000]);

    const long = candidate('p/long', clock, [fail('rate_limited', 20_000), ok]);
    const other = candidate('p/other', clock, [ok]);
    const start = clock.now();
    await route([long.candidate, other.candidate], 2);
    expect(long.model.calls).toHaveLength(1);
    expect(other.model.calls[0]!.at).toBe(start);
  });

  it('moves on instead of waiting past the deadline', async () => {
    const { clock, route } = setup({ settings: { timeoutMs: 2_000 } });
    const limited = candidate('p/limited', clock, [fail('rate_limited', 5_000), ok]);
    const other = candidate('p/other', clock, [ok]);
    await route([limited.candidate, other.candidate], 2);
    expect(limited.model.calls).toHaveLength(1);
    expect(other.model.calls[0]!.at).toBe(0);
  });

  it('answers 429 with the shortest Retry-After when every candidate was rate limited', async () => {
    const { clock, route } = setup({ settings: { maxRetryAfterMs: 1_000 } });
    const a = candidate('p/a', clock, [fail('rate_limited', 7_000)]);
    const b = candidate('p/b', clock, [fail('rate_limited', 4_500)]);
    const { last } = await route([a.candidate, b.candidate], 2);
    expect(last).toMatchObject({
      type: 'failed',
      error: { code: 'rate_limited', status: 429, retryAfterSeconds: 5 },
    });
  });

  it('does not retry a silent upstream on the same model: it moves on at the TTFT deadline', async () => {
    const { clock, route } = setup();
    const silent = candidate('p/silent', clock, [[{ wait: 60_000 }, ...ok]]);
    const quick = candidate('p/quick', clock, [ok]);
    const { last } = await route([silent.candidate, quick.candidate], 2);
    expect(silent.model.calls).toHaveLength(1);
    expect(quick.model.calls.map((c) => c.at)).toEqual([5_000]);
    expect(last).toMatchObject({ type: 'finish', candidate: { info: { id: 'p/quick' } } });
    expect(last.type === 'finish' && last.attempts.map((a) => [a.model, a.errorKind, a.message])).toEqual([
      ['silent', 'timeout', 'no first token within 5000 ms'],
      ['quick', undefined, undefined],
    ]);

    const alone = candidate('p/alone', clock, [[{ wait: 60_000 }, ...ok]]);
    const timedOut = await route([alone.candidate], 3);
    expect(alone.model.calls).toHaveLength(1);
    expect(timedOut.last).toMatchObject({ type: 'failed', error: { code: 'upstream_timeout' } });
  });

  it('still retries the same model after a stall, a cut or a 5xx of a non-streamed answer', async () => {
    const { clock, route } = setup();
    const flaky = candidate('p/flaky', clock, [
      [{ text: 'a' }, { wait: 60_000 }],
      [{ text: 'b' }, { throws: true }],
      fail('server_error'),
      ok,
    ]);
    const { last, text } = await route([flaky.candidate], 3, undefined, false);
    expect(text).toBe('Hello world');
    expect(flaky.model.calls).toHaveLength(4);
    expect(last.type === 'finish' && last.attempts.map((a) => [a.outcome, a.errorKind])).toEqual([
      ['incomplete', 'timeout'],
      ['incomplete', 'network'],
      ['failed', 'server_error'],
      ['succeeded', undefined],
    ]);
  });

  it('abandons a silent upstream at the TTFT deadline and tries the next candidate', async () => {
    const { clock, route } = setup();
    const silent = candidate('p/silent', clock, [[{ wait: 60_000 }, ...ok]]);
    const quick = candidate('p/quick', clock, [ok]);
    const { last } = await route([silent.candidate, quick.candidate], 0);
    expect(quick.model.calls[0]!.at).toBe(5_000);
    expect(last.type === 'finish' && last.attempts[0]).toMatchObject({
      outcome: 'failed',
      errorKind: 'timeout',
      latencyMs: 5_000,
    });
  });

  it('answers 504 when the overall deadline passes', async () => {
    const { clock, route } = setup({ settings: { timeoutMs: 8_000, ttftTimeoutMs: 5_000 } });
    const slow = candidate('p/slow', clock, [
      [{ wait: 4_000 }, { text: 'a' }, { wait: 4_000 }, { text: 'b' }, { wait: 4_000 }, { finish: {} }],
    ]);
    const { last } = await route([slow.candidate], 0);
    expect(last).toMatchObject({ type: 'failed', error: { code: 'upstream_timeout' } });
    expect(last.type === 'failed' && last.committed).toBeTruthy();

    const silent = candidate('p/silent', clock, [[{ wait: 60_000 }]]);
    const timedOut = await route([silent.candidate], 5);
    expect(timedOut.last).toMatchObject({ type: 'failed', error: { code: 'upstream_timeout', status: 504 } });
  });

  it('falls back transparently when a stream drops before its first token', async () => {
    const { clock, route } = setup();
    const dropped = candidate('p/dropped', clock, [[{ throws: true }]]);
    const good = candidate('p/good', clock, [ok]);
    const { events, last } = await route([dropped.candidate, good.candidate], 0);
    expect(events.filter((e) => e.type === 'commit')).toHaveLength(1);
    expect(last.type).toBe('finish');
  });

  it('with midStream "fail", ends with an error and keeps the partial answer when a stream drops after its first token', async () => {
    const { clock, route } = setup({ settings: { midStream: 'fail' } });
    const dropped = candidate('p/dropped', clock, [[{ text: 'Hel' }, { throws: true }]]);
    const good = candidate('p/good', clock, [ok]);
    const { last, text } = await route([dropped.candidate, good.candidate], 2);
    expect(text).toBe('Hel');
    expect(good.model.calls).toHaveLength(0);
    expect(dropped.model.calls).toHaveLength(1);
    expect(last).toMatchObject({
      type: 'failed',
      error: { code: 'upstream_failed' },
      committed: { candidate: { info: { id: 'p/dropped' } } },
    });
    expect(last.type === 'failed' && last.attempts[0]!.outcome).toBe('incomplete');
  });

  describe('mid-stream failover', () => {
    const cut: Step[] = [{ text: 'The quick ' }, { text: 'brown' }, { throws: true }];
    const conversation = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Tell me' }] }];

    it.each([
      ['a cut socket', cut],
      [
        'a stall past the idle deadline',
        [{ text: 'The quick ' }, { text: 'brown' }, { wait: 60_000 }, { finish: {} }],
      ],
      [
        'an error event',
        [{ text: 'The quick ' }, { text: 'brown' }, { fail: { kind: 'server_error', message: 'boom' } }],
      ],
      ['an end without finish', [{ text: 'The quick ' }, { text: 'brown' }, { end: true }]],
    ] as [string, Step[]][])(
      'continues the answer on the next candidate after %s, without repeating text',
      async (_, broken) => {
        const { clock, route } = setup();
        const first = candidate('p/first', clock, [broken]);
        // The continuation repeats the last word, as models told to go on often do.
        const next = candidate('p/next', clock, [
          [{ text: 'brown fox' }, { text: ' jumps.' }, { finish: {} }],
        ]);
        const { events, last, text } = await route(
          [first.candidate, next.candidate],
          2,
          undefined,
          true,
          conversation,
        );
        expect(text).toBe('The quick brown fox jumps.');
        expect(events.filter((e) => e.type === 'switch')).toMatchObject([
          { candidate: { info: { id: 'p/next' } } },
        ]);
        expect(last).toMatchObject({ type: 'finish', candidate: { info: { id: 'p/next' } } });
        expect(
          last.type === 'finish' && last.attempts.map((a) => [a.model, a.outcome, a.continuedAt]),
        ).toEqual([
          ['first', 'incomplete', undefined],
          ['next', 'succeeded', 15],
        ]);
        // The cut model is not retried: the next one gets the conversation, the partial answer and the instruction.
        expect(first.model.calls).toHaveLength(1);
        const sent = next.model.calls[0]!.messages;
        expect(sent.slice(0, 1)).toEqual(conversation);
        expect(sent[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'The quick brown' }] });
        expect(sent[2]).toMatchObject({ role: 'user' });
        // Each attempt is billed: the cut one by estimate, the finishing one as reported.
        expect(last.type === 'finish' && last.attempts.map((a) => a.usage?.estimated)).toEqual([true, false]);
      },
    );

    it('hands the partial answer as a prefill to a model that continues one', async () => {
      const { clock, route } = setup();
      const first = candidate('p/first', clock, [[{ text: 'The sky is ' }, { throws: true }]]);
      const next = candidate('p/next', clock, [[{ text: ' blue.' }, { finish: {} }]]);
      next.model.continuesPrefill = true;
      const { text } = await route([first.candidate, next.candidate], 2, undefined, true, conversation);
      expect(text).toBe('The sky is blue.');
      expect(next.model.calls[0]!.messages).toEqual([
        ...conversation,
        { role: 'assistant', content: [{ type: 'text', text: 'The sky is' }] },
      ]);
    });

    it('tries the instruction form when a model refuses the prefill', async () => {
      const { clock, route } = setup();
      const first = candidate('p/first', clock, [[{ text: 'The sky is ' }, { throws: true }]]);
      const next = candidate('p/next', clock, [fail('bad_request'), [{ text: 'blue.' }, { finish: {} }]]);
      next.model.continuesPrefill = true;
      const { text, last } = await route([first.candidate, next.candidate], 0, undefined, true, conversation);
      expect(text).toBe('The sky is blue.');
      expect(next.model.calls.map((c) => c.messages.at(-1)!.role)).toEqual(['assistant', 'user']);
      expect(last.type === 'finish' && last.attempts.map((a) => a.outcome)).toEqual([
        'incomplete',
        'failed',
        'succeeded',
      ]);
    });

    it('stops after maxContinuations switches, keeping the partial answer', async () => {
      const { clock, route } = setup({ settings: { maxContinuations: 1 } });
      const first = candidate('p/first', clock, [[{ text: 'one ' }, { throws: true }]]);
      const second = candidate('p/second', clock, [[{ text: 'two ' }, { throws: true }]]);
      const third = candidate('p/third', clock, [ok]);
      const { text, last } = await route([first.candidate, second.candidate, third.candidate]);
      expect(text).toBe('one two ');
      expect(third.model.calls).toHaveLength(0);
      expect(last).toMatchObject({ type: 'failed', error: { code: 'upstream_failed' }, committed: {} });
    });

    it('does not continue an answer whose tool call was half streamed', async () => {
      const { clock, route } = setup();
      const first = candidate('p/first', clock, [
        [{ toolCall: { id: 'call_1', name: 'get_weather', arguments: '{"ci' } }, { throws: true }],
      ]);
      const next = candidate('p/next', clock, [ok]);
      const { last } = await route([first.candidate, next.candidate]);
      expect(next.model.calls).toHaveLength(0);
      expect(last).toMatchObject({ type: 'failed', error: { code: 'upstream_failed' } });
    });

    it.each([
      ['log probabilities', { logprobs: { top: 1 } }],
      ['several choices', { choices: 2 }],
    ] as const)('does not continue an answer with %s on another model', async (_, options) => {
      const { clock, route } = setup();
      const first = candidate('p/first', clock, [cut]);
      first.candidate.options = options;
      const next = candidate('p/next', clock, [ok]);
      const { last, text } = await route([first.candidate, next.candidate]);
      expect(text).toBe('The quick brown');
      expect(next.model.calls).toHaveLength(0);
      expect(last).toMatchObject({ type: 'failed', error: { code: 'upstream_failed' }, committed: {} });
    });

    it('ends with the in-band error when no candidate is left to continue', async () => {
      const { clock, route } = setup();
      const only = candidate('p/only', clock, [cut]);
      const { last, text } = await route([only.candidate]);
      expect(text).toBe('The quick brown');
      expect(only.model.calls).toHaveLength(1);
      expect(last).toMatchObject({ type: 'failed', committed: { candidate: { info: { id: 'p/only' } } } });
    });
  });

  describe('hedging', () => {
    const hedge = { enabled: true, afterMs: 1_000, maxParallel: 2 };

    it('starts the next candidate when the first has no token by afterMs; the first token wins, the other is stopped', async () => {
      const { clock, route } = setup({ settings: { hedge } });
      const slow = candidate('p/slow', clock, [[{ wait: 4_000 }, ...ok]]);
      const fast = candidate('p/fast', clock, [[{ wait: 200 }, { text: 'Quick' }, { finish: {} }]]);
      const start = clock.now();
      const { last, text } = await route([slow.candidate, fast.candidate]);
      expect(text).toBe('Quick');
      expect(fast.model.calls[0]!.at - start).toBe(1_000);
      expect(last).toMatchObject({ type: 'finish', candidate: { info: { id: 'p/fast' } }, ttftMs: 1_200 });
      expect(last.type === 'finish' && last.attempts.map((a) => [a.model, a.outcome, a.hedged])).toEqual([
        ['slow', 'cancelled', false],
        ['fast', 'succeeded', true],
      ]);
      // The loser is billed what it probably used: its prompt.
      expect(last.type === 'finish' && last.attempts[0]!.usage?.estimated).toBe(true);
    });

    it('keeps the first attempt when it answers before the hedge does', async () => {
      const { clock, route } = setup({ settings: { hedge } });
      const first = candidate('p/first', clock, [[{ wait: 1_500 }, ...ok]]);
      const hedged = candidate('p/hedged', clock, [[{ wait: 5_000 }, ...ok]]);
      const { last } = await route([first.candidate, hedged.candidate]);
      expect(last).toMatchObject({ type: 'finish', candidate: { info: { id: 'p/first' } } });
      expect(last.type === 'finish' && last.attempts.map((a) => [a.model, a.outcome])).toEqual([
        ['hedged', 'cancelled'],
        ['first', 'succeeded'],
      ]);
    });

    it('does not hedge a model whose answers come in time, nor without history and afterMs', async () => {
      const { clock, route } = setup({ settings: { hedge: { enabled: true, maxParallel: 2 } } });
      const first = candidate('p/first', clock, [[{ wait: 3_000 }, ...ok]]);
      const second = candidate('p/second', clock, [ok]);
      await route([first.candidate, second.candidate]);
      expect(second.model.calls).toHaveLength(0);
    });
  });

  it.each([
    ['a cut socket', [{ text: 'Hel' }, { throws: true }]],
    ['a stall', [{ text: 'Hel' }, { wait: 60_000 }, { finish: {} }]],
    [
      'an error event',
      [{ text: 'Hel' }, { fail: { kind: 'server_error', message: 'overloaded mid-answer' } }],
    ],
    ['an end without finish', [{ text: 'Hel' }, { end: true }]],
  ] as [string, Step[]][])(
    'answers a non-streamed request from the fallback after %s mid-answer, with only its text',
    async (_what, broken) => {
      const { clock, route } = setup();
      const dropped = candidate('p/dropped', clock, [broken]);
      const good = candidate('p/good', clock, [[{ wait: 300 }, ...ok]]);
      const start = clock.now();
      const { events, last, text } = await route([dropped.candidate, good.candidate], 0, undefined, false);
      expect(text).toBe('Hello world');
      // Nothing of the failed attempt reached the client: the commit is the fallback's.
      expect(events.filter((e) => e.type === 'commit')).toMatchObject([
        { candidate: { info: { id: 'p/good' } } },
      ]);
      expect(last).toMatchObject({ type: 'finish', candidate: { info: { id: 'p/good' } } });
      const fellBackAt = good.model.calls[0]!.at;
      // ttft is the winning attempt's first token, from the request's arrival.
      expect(last.type === 'finish' && last.ttftMs).toBe(fellBackAt - start + 300);
      expect(last.type === 'finish' && last.attempts.map((a) => [a.model, a.outcome, a.ttftMs])).toEqual([
        ['dropped', 'incomplete', 0],
        ['good', 'succeeded', 300],
      ]);
    },
  );

  it('passes log probabilities and other choices through untouched, with their finish reasons', async () => {
    const { clock, route } = setup();
    const logprobs = [{ token: 'Hi', logprob: -0.5, bytes: [72, 105], topLogprobs: [] }];
    const only = candidate('p/only', clock, [
      [
        { part: { type: 'text-delta', text: 'Hi', logprobs } },
        { part: { type: 'choice-delta', choice: 1, text: 'Yo', logprobs } },
        {
          part: {
            type: 'finish',
            finishReason: 'stop',
            usage: undefined,
            otherChoices: [{ choice: 1, finishReason: 'length' }],
          },
        },
      ],
    ]);
    only.candidate.options = { logprobs: { top: 0 }, choices: 2 };
    const { events, last } = await route([only.candidate]);
    expect(events.filter((e) => e.type === 'text-delta' || e.type === 'choice-delta')).toEqual([
      { type: 'text-delta', text: 'Hi', logprobs },
      { type: 'choice-delta', choice: 1, text: 'Yo', logprobs },
    ]);
    expect(last).toMatchObject({ type: 'finish', otherChoices: [{ choice: 1, finishReason: 'length' }] });
  });

  it('sends a non-streamed answer only once it finished', async () => {
    const { clock, route } = setup();
    const slow = candidate('p/slow', clock, [
      [{ text: 'a' }, { wait: 1_000 }, { text: 'b' }, { finish: {} }],
    ]);
    const { events } = await route([slow.candidate], 0, undefined, false);
    // Held until the finish, and handed on as one piece of text.
    expect(events.map((e) => e.type)).toEqual(['commit', 'text-delta', 'finish']);
    expect(events[0]).toMatchObject({ type: 'commit', ttftMs: 0 });
    expect(events[1]).toEqual({ type: 'text-delta', text: 'ab' });
  });

  it('treats a stream that ends without a finish, or a finish without text, as a failed attempt', async () => {
    const { clock, route } = setup();
    const unfinished = candidate('p/unfinished', clock, [[{ text: 'x' }, { end: true }]]);
    const cut = await route([unfinished.candidate], 0);
    expect(cut.last).toMatchObject({ type: 'failed', committed: {} });
    expect(cut.last.type === 'failed' && cut.last.attempts[0]!.errorKind).toBe('incomplete');

    const empty = candidate('p/empty', clock, [[{ finish: {} }]]);
    const good = candidate('p/good', clock, [ok]);
    const { last } = await route([empty.candidate, good.candidate], 0);
    expect(last.type === 'finish' && last.attempts.map((a) => a.errorKind)).toEqual([
      'incomplete',
      undefined,
    ]);
  });

  it('cuts a stream that stalls between chunks at the idle deadline, not the TTFT one', async () => {
    const { clock, route } = setup();
    const stalls = candidate('p/stalls', clock, [
      [{ text: 'a' }, { wait: 1_000 }, { text: 'b' }, { wait: 30_000 }, { finish: {} }],
    ]);
    const { last, text } = await route([stalls.candidate], 0);
    expect(text).toBe('ab');
    expect(last).toMatchObject({ type: 'failed', committed: {} });
    expect(last.type === 'failed' && last.attempts[0]).toMatchObject({
      errorKind: 'timeout',
      message: 'the stream stalled for 10000 ms',
      // The last chunk at 1 s, then idleTimeoutMs (10 s) of silence.
      latencyMs: 11_000,
    });
  });

  it('lets a healthy model pause between chunks for longer than the TTFT deadline', async () => {
    const { clock, route } = setup();
    const pauses = candidate('p/pauses', clock, [
      [{ wait: 1_000 }, { text: 'a' }, { wait: 8_000 }, { text: 'b' }, { wait: 9_000 }, { finish: {} }],
    ]);
    const { last, text } = await route([pauses.candidate], 0);
    expect(text).toBe('ab');
    expect(last).toMatchObject({ type: 'finish', ttftMs: 1_000 });
  });

  it('holds the idle deadline when it is shorter than the TTFT one', async () => {
    const { clock, route } = setup({ settings: { ttftTimeoutMs: 5_000, idleTimeoutMs: 2_000 } });
    const stalls = candidate('p/stalls', clock, [
      [{ wait: 100 }, { text: 'a' }, { wait: 60_000 }, { finish: {} }],
    ]);
    const { last } = await route([stalls.candidate], 0);
    expect(last.type === 'failed' && last.attempts[0]).toMatchObject({
      errorKind: 'timeout',
      message: 'the stream stalled for 2000 ms',
      latencyMs: 2_100,
    });
  });

  it('answers a content-policy refusal with 400 content_filtered, without trying another model', async () => {
    const { clock, route } = setup();
    const strict = candidate('p/strict', clock, [
      [{ fail: { kind: 'content_filtered', message: 'the upstream withheld the answer (SAFETY)' } }],
    ]);
    const lax = candidate('p/lax', clock, [ok]);
    const { last } = await route([strict.candidate, lax.candidate], 2);
    expect(strict.model.calls).toHaveLength(1);
    expect(lax.model.calls).toHaveLength(0);
    expect(last).toMatchObject({
      type: 'failed',
      error: {
        code: 'content_filtered',
        status: 400,
        message:
          'the provider refused the request under its content policy: the upstream withheld the answer (SAFETY)',
        details: { attempts: [{ model: 'strict', outcome: 'failed', errorKind: 'content_filtered' }] },
      },
    });
  });

  it('tries the next model after a content-policy refusal with contentFilterFallback', async () => {
    const { clock, route } = setup({ settings: { contentFilterFallback: true } });
    const strict = candidate('p/strict', clock, [fail('content_filtered')]);
    const lax = candidate('p/lax', clock, [ok]);
    const { last, text } = await route([strict.candidate, lax.candidate], 2);
    expect(text).toBe('Hello world');
    expect(strict.model.calls).toHaveLength(1);
    expect(last.type === 'finish' && last.attempts.map((a) => a.errorKind)).toEqual([
      'content_filtered',
      undefined,
    ]);

    const other = candidate('p/other', clock, [fail('content_filtered')]);
    const refused = await route([strict.candidate, other.candidate], 2);
    expect(refused.last).toMatchObject({ type: 'failed', error: { code: 'content_filtered', status: 400 } });
  });

  it('answers 400 upstream_rejected quoting the reasons when every candidate refused the request as invalid', async () => {
    const { clock, route } = setup();
    const a = candidate('p/a', clock, [
      [
        {
          fail: {
            kind: 'bad_request',
            status: 400,
            message: 'the upstream answered HTTP 400: tools.0: bad schema',
          },
        },
      ],
    ]);
    const b = candidate('p/b', clock, [fail('context_length_exceeded')]);
    const { last } = await route([a.candidate, b.candidate], 2);
    expect(a.model.calls).toHaveLength(1);
    expect(last).toMatchObject({
      type: 'failed',
      error: {
        code: 'upstream_rejected',
        status: 400,
        message:
          'every candidate rejected the request: the upstream answered HTTP 400: tools.0: bad schema; context_length_exceeded',
        details: {
          attempts: [
            { model: 'a', status: 400 },
            { model: 'b', status: 400 },
          ],
        },
      },
    });

    // One failure of another kind: the gateway failed, not the request.
    const c = candidate('p/c', clock, [fail('bad_request')]);
    const d = candidate('p/d', clock, [fail('server_error')]);
    const mixed = await route([c.candidate, d.candidate], 0);
    expect(mixed.last).toMatchObject({ type: 'failed', error: { code: 'upstream_failed', status: 502 } });
  });

  it('stops at once when the client goes away', async () => {
    const { clock, route } = setup();
    const controller = new AbortController();
    const slow = candidate('p/slow', clock, [
      [{ text: 'a' }, { wait: 1_000 }, { text: 'b' }, { finish: {} }],
    ]);
    clock.setTimer(() => controller.abort(), 500);
    const { last, text } = await route([slow.candidate], 0, controller.signal);
    expect(text).toBe('a');
    expect(last).toMatchObject({ type: 'failed', error: { code: 'client_closed' }, committed: {} });
  });

  it('opens a circuit after consecutive failures, skips the model, then probes it after the cooldown', async () => {
    const { clock, health, route } = setup();
    const broken = candidate('p/broken', clock, [
      fail('server_error'),
      fail('server_error'),
      fail('server_error'),
      fail('server_error'),
      fail('server_error'),
      ok,
    ]);
    const backup = candidate('p/backup', clock, [ok]);
    for (let i = 0; i < 5; i++) await route([broken.candidate, backup.candidate], 0);
    expect(health.snapshot('p/broken').circuit).toBe('open');
    expect(health.available('p/broken')).toBe(false);

    await route([broken.candidate, backup.candidate], 0);
    expect(broken.model.calls).toHaveLength(5);

    clock.setTimer(() => {}, 30_000);
    await clock.run(new Promise((resolve) => clock.setTimer(() => resolve(undefined), 30_000)));
    expect(health.snapshot('p/broken').circuit).toBe('half_open');
    const { last } = await route([broken.candidate, backup.candidate], 0);
    expect(broken.model.calls).toHaveLength(6);
    expect(last).toMatchObject({ type: 'finish', candidate: { info: { id: 'p/broken' } } });
    expect(health.snapshot('p/broken').circuit).toBe('closed');
  });
});
