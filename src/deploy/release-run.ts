import { InterruptedError } from '../errors.ts';
import type {
  AuditLog,
  Clock,
  CommandRunner,
  DeployLock,
  EnvironmentState,
  Logger,
  ReleaseRecord,
  RunContext,
  StateStore,
} from '../ports.ts';
import type { Redactor } from '../redactor.ts';
import type { TargetSettings } from '../settings/deploy.ts';
import { type DeployDriver, withoutOutput } from './driver.ts';
import { type AttemptRecord, RetriesExhaustedError, runWithRetry } from './retry.ts';
import { finishRelease, startRelease } from './state-changes.ts';
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

/**
 * Records a release around `work`: `deploying` before, then good (and current), failed
 * (current only if the driver finished, so what runs is what state says) or interrupted.
 * The state is written before and after, atomically, also when `work` throws.
 */
export async function recordRelease<T extends { drive: Awaited<ReturnType<typeof driveAndVerify>> }>(
  settings: TargetSettings,
  deps: ReleaseDeps,
  initial: EnvironmentState,
  record: ReleaseRecord,
  work: (state: EnvironmentState) => Promise<T>,
): Promise<T> {
  let state = startRelease(initial, record);
  await deps.store.write(state);
  const finishedAt = () => new Date(deps.clock.now()).toISOString();
  try {
    const result = await work(state);
    const { drive } = result;
    state = drive.ok
      ? finishRelease(
          state,
          { status: 'good', finishedAt: finishedAt(), attempts: drive.attempts.length },
          { becomesCurrent: true },
        )
      : finishRelease(
          state,
          {
            status: 'failed',
            finishedAt: finishedAt(),
            attempts: drive.attempts.length,
            reason: withoutOutput(drive.reason),
          },
          { becomesCurrent: drive.stage === 'verification' },
        );
    return result;
  } catch (error) {
    if (!(error instanceof InterruptedError) && !deps.signal?.aborted) {
      state = finishRelease(
        state,
        { status: 'failed', finishedAt: finishedAt(), reason: String(error) },
        { becomesCurrent: false },
      );
      throw error;
    }
    state = finishRelease(
      state,
      { status: 'interrupted', finishedAt: finishedAt(), reason: 'cancelled' },
      { becomesCurrent: false },
    );
    throw new InterruptedError(
      `${interruption(deps.signal).message} while deploying ${record.version} to ${settings.environment}: the driver's process tree was stopped, ${record.version} is marked interrupted, the state still says ${state.current ?? 'nothing'} is current, and the lock is released. Next: deploy again, or roll back.`,
    );
  } finally {
    await deps.store.write(state);
  }
}

export function releaseRecord(
  version: string,
  kind: 'deploy' | 'rollback',
  deps: { clock: { now(): number }; run: RunContext },
): ReleaseRecord {
  return {
    version,
    status: 'deploying',
    startedAt: new Date(deps.clock.now()).toISOString(),
    kind,
    ...(deps.run.actor ? { actor: deps.run.actor } : {}),
    ...(deps.run.runner ? { runner: deps.run.runner } : {}),
    ...(deps.run.runUrl ? { runUrl: deps.run.runUrl } : {}),
  };
}

/**
 * Records a finished deploy or rollback: an audit log entry, and (when a Pushgateway is
 * configured) its metrics. Called however the deploy ended.
 */
export async function recordFinish(
  deps: ReleaseDeps,
  settings: TargetSettings,
  entry: {
    readonly action: 'deploy' | 'rollback';
    readonly version: string | null;
    readonly from: string | null;
    readonly result: string;
    readonly durationMs: number;
    readonly attempts: number;
  },
  verification: Verification | undefined,
): Promise<void> {
  await deps.audit.append({
    at: new Date(deps.clock.now()).toISOString(),
    ...entry,
    environment: settings.environment,
    ...(deps.run.actor ? { actor: deps.run.actor } : {}),
    ...(deps.run.runUrl ? { runUrl: deps.run.runUrl } : {}),
    host: deps.run.host,
  });
  if (!settings.pushgatewayUrl) return;
  // Loaded only when a Pushgateway is configured: prom-client would otherwise weigh on every start.
  const { reportDeployMetrics } = await import('../metrics/report-metrics.ts');
  const failedProbes =
    verification?.health?.probes
      .filter((p) => p.verdict !== 'successful' && p.verdict !== 'stopped')
      .map((p) => p.name) ?? [];
  await reportDeployMetrics(
    settings.pushgatewayUrl,
    {
      environment: settings.environment,
      kind: entry.action,
      result: entry.result,
      durationSeconds: entry.durationMs / 1000,
      failedProbes,
      finishedAt: deps.clock.now(),
    },
    deps.logger,
  );
}
