import { formatDuration } from '../durations.ts';
import { InterruptedError } from '../errors.ts';
import type { Clock, LockOwner } from '../ports.ts';

/** The lock could not be had in time; the message says who holds it and since when. */
export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}

/** A queue of releases for one environment, as one waiter sees it: a directory of tickets, or GitHub Deployments. */
export interface TurnQueue<T> {
  /** The live entries ahead of this waiter, the holder first (abandoned ones already passed). */
  ahead(): Promise<readonly T[]>;
  /** Who an entry is, told to the person waiting. */
  owner(entry: T): LockOwner;
  /** The same holder is told once; another one is told again. */
  key(entry: T): string;
  /** What holds the environment, after "by", with `more` entries behind it and ahead of this waiter. */
  describeHolder(entry: T, more: number): string;
  /** The time to the next look, given the last one (undefined before the first). */
  nextPollMs(last: number | undefined): number;
  /** Waits for the next look: at most `ms`, less when the queue says it changed. */
  pause(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Waits until nothing is ahead of this waiter in `queue`: told who holds the environment (again
 * when the holder changes), looking again as the queue paces it, giving up at the timeout with
 * what holds it, or at a cancel with the cancel's reason. The file lock and the GitHub queue wait
 * the same way; each cleans up its own place in line when this throws.
 */
export async function waitForTurn<T>(
  queue: TurnQueue<T>,
  options: {
    readonly environment: string;
    readonly clock: Clock;
    readonly timeoutMs: number;
    readonly signal?: AbortSignal;
    readonly onWait?: (holder: LockOwner) => void;
  },
): Promise<void> {
  const { clock, timeoutMs, signal } = options;
  const deadline = clock.now() + timeoutMs;
  let told: string | undefined;
  let pollMs: number | undefined;
  try {
    for (;;) {
      const ahead = await queue.ahead();
      const holder = ahead[0];
      if (holder === undefined) return;
      if (told !== queue.key(holder)) {
        told = queue.key(holder);
        options.onWait?.(queue.owner(holder));
      }
      if (clock.now() >= deadline)
        throw new LockTimeoutError(
          `"${options.environment}" is still locked after ${formatDuration(timeoutMs)} by ${queue.describeHolder(holder, ahead.length - 1)}`,
        );
      pollMs = queue.nextPollMs(pollMs);
      await queue.pause(Math.max(1, Math.min(pollMs, deadline - clock.now())), signal);
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new InterruptedError();
    throw error;
  }
}
