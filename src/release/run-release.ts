import { deployEnv, runLogged } from '../deploy/driver.ts';
import type { AttemptRecord } from '../deploy/retry.ts';
import { type Verification, type VerifyDeps, verifyDeployment } from '../deploy/verify.ts';
import { ConfigurationError, describeError, InterruptedError } from '../errors.ts';
import type { TargetSettings } from '../model/release.ts';
import type { EnvironmentState, ReleaseRecord } from '../ports.ts';
import type { ReleasePlan } from './plan-release.ts';
import type { ReleaseDeps, SessionDeps } from './release-deps.ts';
import { ReleaseJournal } from './release-journal.ts';
import { type ReleaseStrategy, strategyFor } from './strategy.ts';

export interface ReleaseRequest {
  readonly kind: 'deploy' | 'rollback';
  readonly target: TargetSettings;
  /** The decision over the record, made once the lock is held (planDeploy or planRollback). */
  readonly plan: (state: EnvironmentState) => ReleasePlan;
  /** How the version goes live; by default the strategy the target's settings ask for. */
  readonly strategy?: (deps: VerifyDeps) => ReleaseStrategy;
  /** Run before anything changes; failing it stops the release. */
  readonly preHook?: Hook;
  /** Run after a verified release; failing it only warns. */
  readonly postHook?: Hook;
  /** Why `plan.markBad` is marked bad, in the record. */
  readonly badReason?: (to: string) => string;
}

export interface Hook {
  readonly name: string;
  readonly command: string;
}

/** Where a failed release left production. */
/**
 * Where a failed release left production. `rejected`: untouched, because the release was proven
 * broken before any user reached it (blue-green, on its slot): news for an incident, no rollback.
 */
export type Production = 'untouched' | 'rejected' | 'maybe-changed' | 'live-unverified' | 'live-verified';

export interface ReleaseOutcome {
  readonly result: 'released' | 'unchanged' | 'failed';
  readonly version: string;
  /** What users reached before (the version replaced). */
  readonly from?: string;
  readonly production: Production;
  readonly failedAt?: 'pre-hook' | 'go-live' | 'verify';
  readonly reason?: string;
  readonly attempts: readonly AttemptRecord[];
  readonly facts: Readonly<Record<string, number | string>>;
  readonly verification?: Verification;
  /** The record could not be written at the end: what failed (the outcome is still what happened). */
  readonly unrecorded?: string;
}

/**
 * One release, read top to bottom: plan → pre hook → go live (the strategy) → verify → record →
 * post hook. Called holding the environment's lock. The record says what users may be reaching
 * at every step; an interruption is recorded (live and unverified once going live began) and
 * rethrown with what was left.
 */
export async function runRelease(request: ReleaseRequest, deps: SessionDeps): Promise<ReleaseOutcome> {
  const { environment } = request.target;
  const journal = await ReleaseJournal.open(deps.session, deps.clock, environment);
  const plan = request.plan(journal.state);
  if (plan.kind === 'refuse') throw new ConfigurationError(plan.input, plan.problem, plan.remedy);
  if (plan.kind === 'confirm') {
    const confirmed = await confirmCurrent(plan.version, request, deps);
    if (confirmed) return confirmed;
  }
  const version = plan.version;
  const from = plan.kind === 'release' ? plan.from : undefined;
  const base = { version, ...(from ? { from } : {}), attempts: [], facts: {} };
  if (plan.kind === 'release' && plan.note) deps.logger.warning(plan.note);

  const pre = request.preHook && (await runHook(request.preHook, version, from, request, deps));
  if (pre) return { ...base, result: 'failed', production: 'untouched', failedAt: 'pre-hook', reason: pre };

  await journal.begin(
    releaseRecord(version, request.kind, deps),
    plan.kind === 'release' && plan.markBad
      ? { version: plan.markBad, reason: request.badReason?.(version) ?? `replaced by ${version}` }
      : undefined,
  );
  const signal = deps.signal ?? new AbortController().signal;
  const strategy = (request.strategy ?? ((d) => strategyFor(request.target, d)))({ ...deps, signal });
  // Users reach the new version from here on: after an in-place go-live, or at a blue-green switch.
  const progress = { live: false };
  const nowLive = async () => {
    if (progress.live) return;
    progress.live = true;
    await journal.live();
  };
  try {
    const live = await strategy.goLive({
      environment,
      version,
      ...(from ? { previous: from } : {}),
      signal,
      state: journal.state,
      placed: (slot) => journal.inSlot(slot),
      switched: nowLive,
    });
    if (!live.ok) {
      await journal.finish(live.rejected ? 'bad' : 'failed', {
        attempts: live.attempts.length,
        reason: live.reason,
        neverLive: !live.touched,
      });
      return {
        ...base,
        ...live,
        result: 'failed',
        production: live.touched ? 'maybe-changed' : live.rejected ? 'rejected' : 'untouched',
        failedAt: 'go-live',
        ...unrecorded(journal),
      };
    }
    await nowLive();
    const verification = await verifyDeployment(request.target.verify, version, { ...deps, signal });
    if (signal.aborted) throw interruption(signal);
    const reason = verification.ok ? undefined : `verification failed: ${verification.reason}`;
    await journal.finish(verification.ok ? 'good' : 'failed', {
      attempts: live.attempts.length,
      ...(reason ? { reason } : {}),
    });
    if (!verification.ok)
      return {
        ...base,
        ...live,
        result: 'failed',
        production: 'live-unverified',
        failedAt: 'verify',
        reason: reason!,
        verification,
        ...unrecorded(journal),
      };
    if (request.postHook) {
      const post = await runHook(request.postHook, version, from, request, deps);
      if (post) deps.logger.warning(`${post} (the release itself is done and verified)`);
    }
    return {
      ...base,
      ...live,
      result: 'released',
      production: 'live-verified',
      verification,
      ...unrecorded(journal),
    };
  } catch (error) {
    if (!signal.aborted && !(error instanceof InterruptedError)) {
      // Before the switch a blue-green fault left users where they were; in place, they may have moved.
      const left = progress.live
        ? 'live-unverified'
        : strategy.changesInPlace
          ? 'maybe-changed'
          : 'untouched';
      await journal.finish('failed', {
        reason: `the release stopped on a fault: ${describeError(error)}`,
        ...(left === 'untouched' ? { neverLive: true } : {}),
      });
      throw new ReleaseFault(error, left);
    }
    const mayBeLive = strategy.changesInPlace || progress.live;
    await journal.interrupted('cancelled', mayBeLive);
    const left = journal.unrecorded
      ? `the record could not be written (${journal.unrecorded})`
      : mayBeLive
        ? `the record says ${version} is live but not verified`
        : `users still reach what they reached before (${from ?? 'nothing recorded'}), as the record says`;
    throw new InterruptedError(
      `${interruption(signal).message} while ${progress.live ? 'verifying' : 'releasing'} ${version} to ${environment}: its process trees were stopped, ${left}, and the lock is released. Next: verify it with a deploy of ${version}, or roll back to the last good version.`,
    );
  }
}

/** A fault of ours or the world's after production may have changed: the error, and where it left production. */
export class ReleaseFault extends Error {
  override readonly name = 'ReleaseFault';
  readonly production: Production;
  constructor(cause: unknown, production: Production) {
    super(describeError(cause));
    this.production = production;
  }
}

/** The version asked for is current and verified: if it still verifies, the outcome is unchanged. */
async function confirmCurrent(
  version: string,
  request: ReleaseRequest,
  deps: ReleaseDeps,
): Promise<ReleaseOutcome | undefined> {
  const verification = await verifyDeployment(request.target.verify, version, deps);
  if (verification.ok)
    return {
      result: 'unchanged',
      version,
      from: version,
      production: 'untouched',
      attempts: [],
      facts: {},
      verification,
    };
  deps.logger.warning(
    `${version} is current but does not verify (${verification.reason}): releasing it again`,
  );
  return undefined;
}

async function runHook(
  hook: Hook,
  version: string,
  from: string | undefined,
  request: ReleaseRequest,
  deps: ReleaseDeps,
): Promise<string | undefined> {
  const result = await runLogged(deps.runner, deps.logger, `the ${hook.name} hook`, {
    command: hook.command,
    // A hook is held to the same time limit as one attempt of the driver.
    timeoutMs: request.target.retry.attemptTimeoutMs,
    env: {
      ...deployEnv({ version, environment: request.target.environment, ...(from ? { previous: from } : {}) }),
      ...(request.kind === 'rollback' ? { DEPLOY_ROLLBACK_FROM: from ?? '' } : {}),
    },
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  return result.failure;
}

function unrecorded(journal: ReleaseJournal): { unrecorded?: string } {
  return journal.unrecorded ? { unrecorded: journal.unrecorded } : {};
}

export function interruption(signal: AbortSignal | undefined): InterruptedError {
  return signal?.reason instanceof InterruptedError ? signal.reason : new InterruptedError();
}

export function releaseRecord(
  version: string,
  kind: 'deploy' | 'rollback',
  deps: ReleaseDeps,
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
