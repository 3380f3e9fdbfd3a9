import { type Clock, sleepOn, type Timer } from '../../src/routing/clock.js';

interface PendingTimer {
  at: number;
  seq: number;
  callback: () => void;
  cleared: boolean;
}

/**
 * Virtual time: timers fire only when the test lets time pass. `run(promise)` advances
 * from timer to timer whenever nothing else can happen, until the promise settles.
 */
export class FakeClock implements Clock {
  #now = 0;
  #seq = 0;
  #timers: PendingTimer[] = [];

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, ms: number): Timer {
    const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, callback, cleared: false };
    this.#timers.push(timer);
    return {
      clear: () => {
        timer.cleared = true;
      },
    };
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  async run<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return promise;
      this.#timers = this.#timers.filter((timer) => !timer.cleared);
      if (this.#timers.length === 0)
        throw new Error('deadlock: the promise waits on nothing the clock can fire');
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers.shift()!;
      this.#now = Math.max(this.#now, next.at);
      next.callback();
    }
  }
}
