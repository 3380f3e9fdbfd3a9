/** A cancellable timer. */
export interface Timer {
  clear(): void;
}

/** Time as the router sees it; injected so tests can drive it. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Calls `callback` after `ms`, unless cleared first. */
  setTimer(callback: () => void, ms: number): Timer;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Resolves after `ms` on `clock`, or rejects when `signal` aborts. */
export function sleepOn(clock: Pick<Clock, 'setTimer'>, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      timer.clear();
      reject(signal.reason);
    };
    const timer = clock.setTimer(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    return { clear: () => clearTimeout(handle) };
  },
  sleep: (ms, signal) => sleepOn(systemClock, ms, signal),
};
