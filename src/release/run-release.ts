import { verifyDeployment } from '../deploy/verify.ts';
import { ConfigurationError } from '../errors.ts';
import type { ReleaseKind, ReleaseRecord } from '../ports.ts';
import { productionAfter } from './production-after.ts';
import type { ReleaseDeps, SessionDeps } from './release-deps.ts';
import { failed, gaveUp, interruption, outcomeBase, settleFault, stillServed } from './release-ending.ts';
import { ReleaseJournal } from './release-journal.ts';
import { runHook } from './run-hook.ts';
import { strategyFor } from './strategy-for.ts';
import type { ReleaseOutcome, ReleaseRequest, Underway } from './underway.ts';

export type { Production } from './production-after.ts';
export { interruption } from './release-ending.ts';
export type { Hook, ReleaseEvidence, ReleaseOutcome, ReleaseRequest } from './underway.ts';
export { evidenceOf } from './underway.ts';

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
  const journal = await ReleaseJournal.open(deps.session, deps.clock, request.target.environment, {
    ...(strategy.observe ? { observe: () => strategy.observe!() } : {}),
    ...(strategy.recover
      ? {
          recover: (state) =>
            strategy.recover!(state, AbortSignal.any([signal, AbortSignal.timeout(60_000)])),
        }
      : {}),
  });
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
    // Behind a proxy, the version left is marked bad once users may leave it (the switch).
    { deferBad: !strategy.changesInPlace },
  );
  try {
    return await goLiveAndVerify(release);
  } catch (error) {
    return await settleFault(release, error);
  } finally {
    // The SSH key on disk and the connections end with the release, however it ended.
    await strategy
      .close?.()
      .catch((error: unknown) =>
        deps.logger.warning(`closing the release's connections failed: ${(error as Error).message}`),
      );
  }
}

/** Go live, verify, check users are still sent to it, record, post hook. */
async function goLiveAndVerify(release: Underway): Promise<ReleaseOutcome> {
  const { request, deps, signal, strategy, journal, version, from } = release;
  const live = await strategy.goLive({
    environment: request.target.environment,
    version,
    kind: request.kind,
    ...(from ? { previous: from } : {}),
    signal,
    state: journal.state,
    at: (phase, slot) => journal.at(phase, slot),
    host: (name, change) => journal.host(name, change),
    canary: (step, weight) => journal.canary(step, weight),
  });
  release.attempts = live.attempts;
  if (!live.ok) return gaveUp(release, live);
  if (live.paused) {
    await journal.finish('paused', { attempts: live.attempts.length, production: 'untouched' });
    return { ...outcomeBase(release), ...live, result: 'paused', production: 'untouched' };
  }
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

export function releaseRecord(version: string, kind: ReleaseKind, deps: ReleaseDeps): ReleaseRecord {
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
