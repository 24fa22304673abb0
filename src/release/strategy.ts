import { createDriver } from '../deploy/create-driver.ts';
import type { DeployDriver } from '../deploy/driver.ts';
import type { AttemptRecord, RetryPolicy } from '../deploy/retry.ts';
import type { VerifyDeps } from '../deploy/verify.ts';
import type { TargetSettings } from '../model/release.ts';
import type { EnvironmentState, Logger } from '../ports.ts';
import { trafficSwitchFor } from '../traffic/traffic-switch-for.ts';
import { blueGreenStrategy } from './blue-green.ts';
import { drive } from './drive.ts';

export interface GoLiveRequest {
  readonly environment: string;
  readonly version: string;
  /** What users reach before. */
  readonly previous?: string;
  readonly signal: AbortSignal;
  /** The record as the release began (blue-green reads which version each slot runs). */
  readonly state: EnvironmentState;
  /** Blue-green: the version is about to be made to run in `slot` (no user reaches it yet). */
  readonly placed: (slot: string) => Promise<void>;
  /** Users start reaching the new version now (blue-green: the switch). */
  readonly switched: () => Promise<void>;
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
      /** The version was proven broken before any user reached it (blue-green): mark it bad. */
      readonly rejected?: boolean;
    };

/**
 * How a version goes live. The release skeleton records, verifies and recovers around it; a new
 * strategy (blue-green, canary) is a new implementation of this, not a new skeleton.
 */
export interface ReleaseStrategy {
  readonly name: string;
  /** Production changes from the driver's first attempt on (in place), not only at a switch. */
  readonly changesInPlace: boolean;
  /** One line for the dry-run plan. */
  plan(version: string): string;
  /**
   * Makes `version` what users reach. Resolves once it is live (ok) or once it gave up; throws
   * only when interrupted (its process trees stopped by then) or on a fault of ours.
   */
  goLive(request: GoLiveRequest): Promise<GoLiveOutcome>;
}

/** The strategy a target's settings ask for, with its driver (and, for blue-green, its traffic switch). */
export function strategyFor(target: TargetSettings, deps: VerifyDeps): ReleaseStrategy {
  const driver = createDriver(target.driver, deps.runner, deps.logger);
  if (target.strategy.kind === 'blue-green')
    return blueGreenStrategy(
      driver,
      target.strategy,
      target.retry,
      trafficSwitchFor(target.strategy, target.environment, deps),
      deps,
    );
  return inPlaceStrategy(driver, target.retry, deps.logger);
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
    changesInPlace: true,
    plan: (version) => `${driver.plan(version)} (in place)`,
    async goLive({ environment, version, previous, signal }) {
      const driven = await drive(driver, retry, logger, {
        environment,
        version,
        ...(previous ? { previous } : {}),
        signal,
      });
      return driven.ok ? driven : { ...driven, touched: driven.attempts.length > 0 };
    },
  };
}
