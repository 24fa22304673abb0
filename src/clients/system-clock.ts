import type { Clock } from '../ports.ts';

/**
 * Real time: epoch milliseconds from the monotonic clock, so intervals never run backwards. A
 * sleep cut short rejects with the signal's reason (no AbortError built per cancelled timer:
 * the health engine clears thousands of them).
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (ms <= 0) return resolve();
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
