import { deployEnv, runLogged } from '../deploy/driver.ts';
import type { AttemptRecord } from '../deploy/retry.ts';
import { type Verification, type VerifyDeps, verifyDeployment } from '../deploy/verify.ts';
import { ConfigurationError, describeError, InterruptedError } from '../errors.ts';
import type { TargetSettings } from '../model/release.ts';
import type { EnvironmentState, ReleaseRecord } from '../ports.ts';
import type { ReleasePlan } from './plan-release.ts';
import { type FaultFacts, type Observed, type Production, productionAfter } from './production-after.ts';
import type { ReleaseDeps, SessionDeps } from './release-deps.ts';
import { ReleaseJournal } from './release-journal.ts';
import type { SlotSeen } from './release-state.ts';
import type { GoLiveOutcome, ReleaseStrategy } from './strategy.ts';
import { strategyFor } from './strategy-for.ts';

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

export type { Production } from './production-after.ts';

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

/** One release under way: what it is, what works it, and the record it keeps. */
interface Underway {
  readonly request: ReleaseRequest;
  readonly deps: SessionDeps;
  readonly signal: AbortSignal;
  readonly strategy: ReleaseStrategy;
  readonly journal: ReleaseJournal;
  readonly version: string;
  readonly from?: string;
  /** The driver's attempts so far (kept for a fault's outcome). */
  attempts: readonly AttemptRecord[];
}

/**
 * One release, read top to bottom as named phases (kamal's Boot#run is the model): open the
 * record → plan → pre hook → begin → go live (the strategy) → verify → still served? → record →
 * post hook. Called holding the environment's lock. The record says what users may be reaching
 * at every step; however a release ends badly, where it left production is one pure decision
 * (productionAfter) over how far it got and what the proxy is seen serving. A cancel is
 * recorded and rethrown with what was left; any other fault is a failed outcome.
 */
export async function runRelease(request: ReleaseRequest, deps: SessionDeps): Promise<ReleaseOutcome> {
  const signal = deps.signal ?? new AbortController().signal;
  const strategy = (request.strategy ?? ((d) => strategyFor(request.target, d)))({ ...deps, signal });
  const observe = strategy.observe?.bind(strategy);
  const journal = await ReleaseJournal.open(deps.session, deps.clock, request.target.environment, observe);
  const plan = request.plan(journal.state);
  if (plan.kind === 'refuse') throw new ConfigurationError(plan.input, plan.problem, plan.remedy);
  if (plan.kind === 'confirm') {
    const confirmed = await confirmCurrent(plan.version, request, deps);
    if (confirmed) return confirmed;
  }
  const from = plan.kind === 'release' ? plan.from : undefined;
  const release: Underway = {
    request,
    deps,
    signal,
    strategy,
    journal,
    version: plan.version,
    ...(from ? { from } : {}),
    attempts: [],
  };
  if (plan.kind === 'release' && plan.note) deps.logger.warning(plan.note);
  const pre = request.preHook && (await runHook(request.preHook, release));
  if (pre) return failed(release, { production: 'untouched', failedAt: 'pre-hook', reason: pre });
  await journal.begin(
    releaseRecord(release.version, request.kind, deps),
    plan.kind === 'release' && plan.markBad
      ? {
          version: plan.markBad,
          reason: request.badReason?.(release.version) ?? `replaced by ${release.version}`,
        }
      : undefined,
  );
  try {
    return await goLiveAndVerify(release);
  } catch (error) {
    return await settleFault(release, error);
  }
}

/** Go live, verify, check users are still sent to it, record, post hook. */
async function goLiveAndVerify(release: Underway): Promise<ReleaseOutcome> {
  const { request, deps, signal, strategy, journal, version, from } = release;
  const live = await strategy.goLive({
    environment: request.target.environment,
    version,
    ...(from ? { previous: from } : {}),
    signal,
    state: journal.state,
    at: (phase, slot) => journal.at(phase, slot),
  });
  release.attempts = live.attempts;
  if (!live.ok) return gaveUp(release, live);
  if (journal.phase !== 'live') await journal.at('live');
  const checked = await verifyDeployment(request.target.verify, version, { ...deps, signal });
  if (signal.aborted) throw interruption(signal);
  const served = await stillServed(release);
  const verification = served.ok ? checked : { ...checked, ok: false, reason: served.reason };
  if (!verification.ok) {
    const reason = `verification failed: ${verification.reason}`;
    const production = productionAfter({ phase: 'live', driverRan: true, fault: 'failed', ...served.seen });
    await journal.finish('failed', { attempts: live.attempts.length, reason, production });
    return failed(release, { ...live, production, failedAt: 'verify', reason, verification });
  }
  await journal.finish('good', { attempts: live.attempts.length, production: 'live-verified' });
  if (request.postHook) {
    const post = await runHook(request.postHook, release);
    if (post) deps.logger.warning(`${post} (the release itself is done and verified)`);
  }
  return { ...outcomeBase(release), ...live, result: 'released', production: 'live-verified', verification };
}

/** The strategy gave up (its driver failed, or the version was rejected on its slot): recorded, with where it left users. */
async function gaveUp(
  release: Underway,
  live: Extract<GoLiveOutcome, { ok: false }>,
): Promise<ReleaseOutcome> {
  const fault = live.rejected ? 'rejected' : 'failed';
  const production = productionAfter({
    phase: phaseNow(release),
    driverRan: live.attempts.length > 0,
    fault,
    ...(await observed(release)),
  });
  await release.journal.finish(live.rejected ? 'bad' : 'failed', {
    attempts: live.attempts.length,
    reason: live.reason,
    production,
  });
  return failed(release, { ...live, production, failedAt: 'go-live' });
}

/**
 * A throw while the release was under way (a cancel, a proxy that answered late, a read-back that
 * failed): where it left users is read from the proxy, recorded, and said. A cancel is rethrown.
 */
async function settleFault(release: Underway, error: unknown): Promise<ReleaseOutcome> {
  const { journal, signal, version } = release;
  const cancelled = signal.aborted || error instanceof InterruptedError;
  const phase = phaseNow(release);
  const production = productionAfter({
    phase,
    driverRan: true,
    fault: cancelled ? 'interrupted' : 'fault',
    ...(await observed(release)),
  });
  const reason = cancelled ? 'cancelled' : `the release stopped on a fault: ${describeError(error)}`;
  await journal.finish(cancelled ? 'interrupted' : 'failed', { reason, production });
  const left = journal.unrecorded
    ? `the record could not be written (${journal.unrecorded})`
    : whereUsersAre(release, production);
  if (!cancelled)
    return failed(release, {
      production,
      failedAt: phase === 'live' ? 'verify' : 'go-live',
      reason: `${reason}; ${left}`,
    });
  throw new InterruptedError(
    `${interruption(signal).message} while ${phase === 'live' ? 'verifying' : 'releasing'} ${version} to ${release.request.target.environment}: its process trees were stopped, ${left}, and the lock is released. Next: verify it with a deploy of ${version}, or roll back to the last good version.`,
  );
}

/** How far the release got, for productionAfter. */
function phaseNow(release: Underway): FaultFacts['phase'] {
  const recorded = release.journal.phase;
  if (recorded) return recorded;
  return release.strategy.changesInPlace && release.journal.state.releases.at(-1)?.status === 'deploying'
    ? 'driving'
    : 'not-begun';
}

/** From the switch on, what the proxy serves now: this release's slot, another, or unreadable. */
async function observed(release: Underway): Promise<{ observed?: Observed }> {
  const { strategy, journal } = release;
  const phase = journal.phase;
  if (!strategy.observe || (phase !== 'switching' && phase !== 'live')) return {};
  const seen = await strategy.observe().catch((): SlotSeen => 'unknown');
  if (seen === 'unknown') return { observed: 'unknown' };
  return { observed: seen.slot === journal.state.releases.at(-1)?.slot ? 'new' : 'old' };
}

/** After the verification, behind a proxy: users must still be sent to the release (a proxy restarted meanwhile is not). */
async function stillServed(
  release: Underway,
): Promise<{ ok: boolean; reason: string; seen: { observed?: Observed } }> {
  const seen = await observed(release);
  if (seen.observed === undefined || seen.observed === 'new') return { ok: true, reason: '', seen };
  const { strategy, version } = release;
  const reason =
    seen.observed === 'old'
      ? `${strategy.proxy?.name} no longer sends users to ${version}'s slot after its verification (restarted, or switched by hand)`
      : `${strategy.proxy?.name} could not be read after the verification, so it is not known that users reach ${version}`;
  return { ok: false, reason, seen };
}

/** Where users are, in words, after a release that did not end well. */
function whereUsersAre(release: Underway, production: Production): string {
  const { version, from, strategy } = release;
  switch (production) {
    case 'untouched':
    case 'rejected':
      return `users still reach what they reached before (${from ?? 'nothing recorded'}), as the record says`;
    case 'unknown':
      return `what users reach is unknown: ${strategy.proxy?.name ?? strategy.name} could not be read after the fault; see it with ${strategy.proxy?.readCommand ?? 'your proxy'} (the next release reads it before it changes anything)`;
    case 'maybe-changed':
      return `the driver ran, so production may have changed; the record says ${version} may be live, not verified`;
    default:
      return `the record says ${version} is live but not verified`;
  }
}

function outcomeBase(release: Underway) {
  return {
    version: release.version,
    ...(release.from ? { from: release.from } : {}),
    attempts: release.attempts,
    facts: {},
    ...unrecorded(release.journal),
  };
}

function failed(
  release: Underway,
  details: Pick<ReleaseOutcome, 'production' | 'failedAt' | 'reason'> & Partial<ReleaseOutcome>,
): ReleaseOutcome {
  return { ...outcomeBase(release), ...details, result: 'failed' };
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

async function runHook(hook: Hook, release: Underway): Promise<string | undefined> {
  const { request, deps, version, from } = release;
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
