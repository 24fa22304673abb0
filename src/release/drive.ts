import type { DeployDriver, DriverHost } from '../deploy/driver.ts';
import { RetriesExhaustedError, type RetryPolicy, runWithRetry } from '../deploy/retry.ts';
import type { Slot } from '../model/release.ts';
import type { Logger } from '../ports.ts';
import type { GoLiveOutcome } from './strategy.ts';

export interface DriveRequest {
  readonly environment: string;
  readonly version: string;
  readonly previous?: string;
  readonly slot?: Slot;
  /** Rolling: the host the driver works on. */
  readonly host?: DriverHost;
  /** Rolling with ansible: the batch's hosts (--limit). */
  readonly limit?: readonly string[];
  readonly signal: AbortSignal;
}

/** What the driver's attempts came to: a go-live outcome before anyone judged whether it touched production. */
export type Driven =
  | Extract<GoLiveOutcome, { ok: true }>
  | Omit<Extract<GoLiveOutcome, { ok: false }>, 'rejected'>;

/**
 * The driver's attempts at making a version run (in place, or in a slot), with retries: every
 * attempt logged, each bounded by the attempt timeout. Gives up with the reason once retries are
 * exhausted; throws only when interrupted or on a fault of ours.
 */
export async function drive(
  driver: DeployDriver,
  retry: RetryPolicy & { readonly attemptTimeoutMs: number },
  logger: Logger,
  { environment, version, previous, slot, host, limit, signal }: DriveRequest,
): Promise<Driven> {
  try {
    const run = await runWithRetry(retry, logger, signal, (attempt) => {
      logger.info(`Attempt ${attempt}/${retry.attempts}: ${driver.plan(version)}`);
      return driver.run({
        version,
        environment,
        ...(previous ? { previous } : {}),
        ...(slot ? { slot } : {}),
        ...(host ? { host } : {}),
        ...(limit ? { limit } : {}),
        attempt,
        timeoutMs: retry.attemptTimeoutMs,
        signal,
      });
    });
    return { ok: true, attempts: run.attempts, facts: run.value.facts ?? {} };
  } catch (error) {
    if (signal.aborted || !(error instanceof RetriesExhaustedError)) throw error;
    return { ok: false, reason: error.message, attempts: error.attempts, facts: error.facts };
  }
}
