import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../ports.ts';

/** Real time: epoch milliseconds from the monotonic clock, so intervals never run backwards. */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: async (ms, signal) => {
    if (ms <= 0) {
      signal?.throwIfAborted();
      return;
    }
    await delay(ms, undefined, signal ? { signal } : {});
  },
};
