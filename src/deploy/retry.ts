import pRetry, { AbortError } from 'p-retry';
import { formatDuration, MAX_DURATION_MS } from '../durations.ts';
import { InterruptedError } from '../errors.ts';
import type { Logger } from '../ports.ts';
import { AttemptFailedError, withoutOutput } from './driver.ts';

export interface RetryPolicy {
  readonly attempts: number;
  readonly waitMs: number;
  readonly factor: number;
}

export interface AttemptRecord {
  readonly attempt: number;
  readonly ok: boolean;
  readonly reason: string;
}

/**
 * Runs `attempt` until it succeeds or `policy.attempts` are used, waiting `waitMs`, then
 * `waitMs × factor`, … between them (p-retry). Only AttemptFailedError is retried: anything
 * else (a configuration error, a bug) fails at once, and a cancel stops the waiting too.
 * Every attempt is logged and recorded with its reason.
 */
export async function runWithRetry<T>(
  policy: RetryPolicy,
  logger: Logger,
  signal: AbortSignal | undefined,
  attempt: (number: number) => Promise<T>,
): Promise<{ value: T; attempts: AttemptRecord[] }> {
  const attempts: AttemptRecord[] = [];
  const value = await pRetry<T>(
    async (number) => {
      try {
        const value = await attempt(number);
        attempts.push({ attempt: number, ok: true, reason: 'succeeded' });
        return value;
      } catch (error) {
        if (signal?.aborted)
          throw new AbortError(signal.reason instanceof Error ? signal.reason : new InterruptedError());
        if (!(error instanceof AttemptFailedError)) throw new AbortError(error as Error);
        // Recorded (report, state): without the command output the message may quote; the log has it.
        attempts.push({ attempt: number, ok: false, reason: withoutOutput(error.message) });
        throw error;
      }
    },
    {
      retries: policy.attempts - 1,
      minTimeout: policy.waitMs,
      factor: policy.factor,
      // A wait grown by the factor past what a timer holds would fire at once.
      maxTimeout: MAX_DURATION_MS,
      randomize: false,
      ...(signal ? { signal } : {}),
      onFailedAttempt: ({ error, attemptNumber, retriesLeft, retryDelay }) => {
        const next =
          retriesLeft > 0
            ? `; retrying in ${formatDuration(retryDelay ?? policy.waitMs)}`
            : '; no attempts left';
        logger.warning(`attempt ${attemptNumber}/${policy.attempts} failed: ${error.message}${next}`);
      },
    },
  ).catch((error: unknown) => {
    if (error instanceof AttemptFailedError) throw new RetriesExhaustedError(error, attempts);
    throw error;
  });
  return { value, attempts };
}

/** Every attempt failed: the last one's reason, and the record of them all. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
  readonly attempts: readonly AttemptRecord[];
  readonly facts: Readonly<Record<string, number | string>>;
  constructor(last: AttemptFailedError, attempts: readonly AttemptRecord[]) {
    super(
      attempts.length > 1
        ? `all ${attempts.length} attempts failed; the last: ${last.message}`
        : last.message,
    );
    this.attempts = attempts;
    this.facts = last.facts ?? {};
  }
}
