import { InterruptedError } from '../errors.ts';
import type { AuditLog, Clock, CommandRunner, DeployLock, Logger, RunContext, StateStore } from '../ports.ts';
import type { Redactor } from '../redactor.ts';
import type { TargetSettings } from '../settings/deploy.ts';
import type { DeployDriver } from './driver.ts';
import { type AttemptRecord, RetriesExhaustedError, runWithRetry } from './retry.ts';
import { type Verification, verifyDeployment } from './verify.ts';

/** What deploy and rollback need from the world. */
export interface ReleaseDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly runner: CommandRunner;
  readonly redactor: Redactor;
  readonly store: StateStore;
  readonly lock: DeployLock;
  readonly audit: AuditLog;
  readonly run: RunContext;
  readonly signal?: AbortSignal;
  /** Called once the lock is held, with its token (the action saves it for its post step). */
  readonly onLocked?: (token: string) => void;
}

/** Runs `body` holding the environment's lock; the lock is released however `body` ends. */
export async function withEnvironmentLock<T>(
  settings: TargetSettings,
  deps: ReleaseDeps,
  body: () => Promise<T>,
): Promise<T> {
  const lock = await deps.lock.acquire(
    settings.environment,
    {
      pid: deps.run.pid,
      host: deps.run.host,
      ...(deps.run.actor ? { actor: deps.run.actor } : {}),
      ...(deps.run.runUrl ? { runUrl: deps.run.runUrl } : {}),
    },
    {
      timeoutMs: settings.lockTimeoutMs,
      ...(deps.signal ? { signal: deps.signal } : {}),
      onWait: (holder) =>
        deps.logger.info(
          `Waiting for the ${settings.environment} lock, held by pid ${holder.pid} on ${holder.host}${holder.actor ? ` (${holder.actor})` : ''} since ${holder.since}`,
        ),
    },
  );
  deps.onLocked?.(lock.token);
  try {
    return await body();
  } finally {
    await lock.release();
  }
}

export type DriveOutcome =
  | {
      readonly ok: true;
      readonly attempts: readonly AttemptRecord[];
      readonly facts: Readonly<Record<string, number | string>>;
      readonly verification: Verification;
    }
  | {
      readonly ok: false;
      readonly stage: 'driver' | 'verification';
      readonly reason: string;
      readonly attempts: readonly AttemptRecord[];
      readonly facts: Readonly<Record<string, number | string>>;
      readonly verification?: Verification;
    };

/**
 * Runs the driver for `version` with retries, then verifies it. Throws InterruptedError when
 * cancelled (the driver's process tree is already stopped by then).
 */
export async function driveAndVerify(
  settings: TargetSettings,
  driver: DeployDriver,
  version: string,
  previous: string | undefined,
  deps: ReleaseDeps,
): Promise<DriveOutcome> {
  const signal = deps.signal ?? new AbortController().signal;
  let attempts: readonly AttemptRecord[];
  let facts: Readonly<Record<string, number | string>>;
  try {
    const run = await runWithRetry(settings.retry, deps.logger, deps.signal, (attempt) => {
      deps.logger.info(`Attempt ${attempt}/${settings.retry.attempts}: ${driver.plan(version)}`);
      return driver.run({
        version,
        environment: settings.environment,
        ...(previous ? { previous } : {}),
        attempt,
        timeoutMs: settings.retry.attemptTimeoutMs,
        signal,
      });
    });
    attempts = run.attempts;
    facts = run.value.facts ?? {};
  } catch (error) {
    if (signal.aborted) throw interruption(signal);
    if (!(error instanceof RetriesExhaustedError)) throw error;
    return {
      ok: false,
      stage: 'driver',
      reason: error.message,
      attempts: error.attempts,
      facts: error.facts,
    };
  }
  const verification = await verifyDeployment(settings.verify, version, deps);
  if (signal.aborted) throw interruption(signal);
  if (!verification.ok)
    return {
      ok: false,
      stage: 'verification',
      reason: `verification failed: ${verification.reason}`,
      attempts,
      facts,
      verification,
    };
  return { ok: true, attempts, facts, verification };
}

export function interruption(signal: AbortSignal | undefined): InterruptedError {
  return signal?.reason instanceof InterruptedError ? signal.reason : new InterruptedError();
}
