import { createDriver } from '../deploy/create-driver.ts';
import type { DeployDriver } from '../deploy/driver.ts';
import {
  type AttemptRecord,
  RetriesExhaustedError,
  type RetryPolicy,
  runWithRetry,
} from '../deploy/retry.ts';
import type { TargetSettings } from '../model/release.ts';
import type { CommandRunner, Logger } from '../ports.ts';

export interface GoLiveRequest {
  readonly environment: string;
  readonly version: string;
  /** What users reach before. */
  readonly previous?: string;
  readonly signal: AbortSignal;
}

export type GoLiveOutcome =
  | {
      readonly ok: true;
      readonly attempts: readonly AttemptRecord[];
      readonly facts: Readonly<Record<string, number | string>>;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly attempts: readonly AttemptRecord[];
      readonly facts: Readonly<Record<string, number | string>>;
      /** Whether production may have changed before it failed (in-place: yes, once an attempt ran). */
      readonly touched: boolean;
    };

/**
 * How a version goes live. The release skeleton records, verifies and recovers around it; a new
 * strategy (blue-green, canary) is a new implementation of this, not a new skeleton.
 */
export interface ReleaseStrategy {
  readonly name: string;
  /** One line for the dry-run plan. */
  plan(version: string): string;
  /**
   * Makes `version` what users reach. Resolves once it is live (ok) or once it gave up; throws
   * only when interrupted (its process trees stopped by then) or on a fault of ours.
   */
  goLive(request: GoLiveRequest): Promise<GoLiveOutcome>;
}

/** The strategy a target's settings ask for (in place, for now), with its driver. */
export function strategyFor(target: TargetSettings, runner: CommandRunner, logger: Logger): ReleaseStrategy {
  return inPlaceStrategy(createDriver(target.driver, runner, logger), target.retry, logger);
}

/**
 * In place: the driver replaces what runs (stop, then start) with retries. Production may change
 * from the first attempt on, so a failure after an attempt ran counts as having touched it.
 */
export function inPlaceStrategy(
  driver: DeployDriver,
  retry: RetryPolicy & { readonly attemptTimeoutMs: number },
  logger: Logger,
): ReleaseStrategy {
  return {
    name: 'in-place',
    plan: (version) => `${driver.plan(version)} (in place)`,
    async goLive({ environment, version, previous, signal }) {
      try {
        const run = await runWithRetry(retry, logger, signal, (attempt) => {
          logger.info(`Attempt ${attempt}/${retry.attempts}: ${driver.plan(version)}`);
          return driver.run({
            version,
            environment,
            ...(previous ? { previous } : {}),
            attempt,
            timeoutMs: retry.attemptTimeoutMs,
            signal,
          });
        });
        return { ok: true, attempts: run.attempts, facts: run.value.facts ?? {} };
      } catch (error) {
        if (signal.aborted || !(error instanceof RetriesExhaustedError)) throw error;
        return {
          ok: false,
          reason: error.message,
          attempts: error.attempts,
          facts: error.facts,
          touched: error.attempts.length > 0,
        };
      }
    },
  };
}
