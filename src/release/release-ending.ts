import { describeError, InterruptedError } from '../errors.ts';
import { type FaultFacts, type Observed, type Production, productionAfter } from './production-after.ts';
import type { ReleaseJournal } from './release-journal.ts';
import type { SlotSeen } from './release-state.ts';
import type { GoLiveOutcome } from './strategy.ts';
import type { ReleaseOutcome, Underway } from './underway.ts';

/**
 * How a release that did not end well is settled: where it left users (productionAfter over how
 * far it got and what the proxy is seen serving), recorded, and said. Also the check after a
 * verification that users are still sent to the release.
 */

/** The strategy gave up (its driver failed, or the version was rejected on its slot): recorded, with where it left users. */
export async function gaveUp(
  release: Underway,
  live: Extract<GoLiveOutcome, { ok: false }>,
): Promise<ReleaseOutcome> {
  const fault = live.rejected ? 'rejected' : 'failed';
  const production =
    live.production ??
    productionAfter({
      phase: phaseNow(release),
      driverRan: live.attempts.length > 0,
      fault,
      ...(await observed(release)),
    });
  await release.journal.finish(live.rejected ? 'bad' : live.aborted ? 'aborted' : 'failed', {
    attempts: live.attempts.length,
    reason: live.reason,
    production,
    ...(live.stoppedSlot ? { stoppedSlot: live.stoppedSlot } : {}),
  });
  return failed(release, { ...live, production, failedAt: 'go-live' });
}

/**
 * A throw while the release was under way (a cancel, a proxy that answered late, a read-back that
 * failed): where it left users is read from the proxy, recorded, and said. A cancel is rethrown.
 */
export async function settleFault(release: Underway, error: unknown): Promise<ReleaseOutcome> {
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
  // Cut short mid-canary, its traffic taken back: the canary was aborted, as the record says.
  const canaryAborted = production === 'reverted';
  await journal.finish(cancelled ? (canaryAborted ? 'aborted' : 'interrupted') : 'failed', {
    reason: canaryAborted
      ? `${reason} mid-canary: the canary was aborted, all traffic put back on the stable slot`
      : reason,
    production,
  });
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
  if (!strategy.observe || (phase !== 'switching' && phase !== 'live' && phase !== 'canary')) return {};
  const seen = await strategy.observe().catch((): SlotSeen => 'unknown');
  if (seen === 'unknown') return { observed: 'unknown' };
  return { observed: seen.slot === journal.state.releases.at(-1)?.slot ? 'new' : 'old' };
}

/** After the verification, behind a proxy: users must still be sent to the release (a proxy restarted meanwhile is not). */
export async function stillServed(
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
    case 'reverted':
      return `its share of users is back on ${from ?? 'the stable version'}, as the record says`;
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

export function outcomeBase(release: Underway) {
  return {
    version: release.version,
    ...(release.from ? { from: release.from } : {}),
    attempts: release.attempts,
    facts: {},
    ...unrecorded(release.journal),
  };
}

export function failed(
  release: Underway,
  details: Pick<ReleaseOutcome, 'production' | 'failedAt' | 'reason'> & Partial<ReleaseOutcome>,
): ReleaseOutcome {
  return { ...outcomeBase(release), ...details, result: 'failed' };
}

function unrecorded(journal: ReleaseJournal): { unrecorded?: string } {
  return journal.unrecorded ? { unrecorded: journal.unrecorded } : {};
}

export function interruption(signal: AbortSignal | undefined): InterruptedError {
  return signal?.reason instanceof InterruptedError ? signal.reason : new InterruptedError();
}
