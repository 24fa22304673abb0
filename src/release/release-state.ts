import type { EnvironmentState, HostRecord, ReleasePhase, ReleaseRecord } from '../ports.ts';
import { mayBeLive, type Observed, type Production, productionAfter } from './production-after.ts';

/**
 * Pure changes to an environment's record. The release skeleton decides, these compute the
 * next state, the store writes it atomically. The rule they keep: `current` names the version
 * users may be reaching, and only a newest release that is `good` means it was verified.
 */

/** What the record says users reach, and whether that was verified. */
export interface LiveView {
  readonly version?: string;
  /** The newest release is good and is the current version: nothing since can have changed production. */
  readonly verified: boolean;
  /** The newest release when it is not good: production may not be what a good release left. */
  readonly unsettled?: ReleaseRecord;
}

export function liveView(state: EnvironmentState): LiveView {
  // A release no user could reach says nothing about what they reach.
  const newest = state.releases.findLast((release) => !release.neverLive);
  const verified = newest?.status === 'good' && newest.version === state.current;
  return {
    ...(state.current ? { version: state.current } : {}),
    verified,
    ...(newest && !verified ? { unsettled: newest } : {}),
  };
}

/** The state with a release started (status deploying): from here production may change. */
export function beginRelease(state: EnvironmentState, record: ReleaseRecord): EnvironmentState {
  return { ...state, deployStart: record.startedAt, releases: [...state.releases, record] };
}

/** The newest release is made to run in `slot` (phase placing), or moves on to `phase`. */
export function atPhase(state: EnvironmentState, phase: ReleasePhase, slot?: string): EnvironmentState {
  const last = state.releases.at(-1);
  if (!last) return state;
  const next = { ...last, phase, ...(slot ? { slot } : {}) };
  return { ...state, releases: [...state.releases.slice(0, -1), next] };
}

/** The newest release runs (or is being made to run) in `slot`. */
export function placeInSlot(state: EnvironmentState, slot: string): EnvironmentState {
  return atPhase(state, 'placing', slot);
}

/**
 * Blue-green: which version each slot last ran, by the newest release placed in it; a slot no
 * release was placed in is absent.
 */
export function slotContents(state: EnvironmentState): ReadonlyMap<string, ReleaseRecord> {
  const contents = new Map<string, ReleaseRecord>();
  for (const release of state.releases) if (release.slot) contents.set(release.slot, release);
  return contents;
}

/** Blue-green: the release `slot` last ran was stopped (scale-down): the slot is not warm any more. */
export function markStopped(state: EnvironmentState, slot: string): EnvironmentState {
  const ran = slotContents(state).get(slot);
  if (!ran) return state;
  return {
    ...state,
    releases: state.releases.map((release) => (release === ran ? { ...ran, stopped: true } : release)),
  };
}

/** The newest release's version is now what users reach (not yet verified). */
export function markLive(state: EnvironmentState, at: string): EnvironmentState {
  const last = state.releases.at(-1);
  if (!last || state.current === last.version) return state;
  return {
    ...state,
    current: last.version,
    ...(state.current ? { previous: state.current } : {}),
    lastDeployTimestamp: at,
  };
}

/** The newest release finished as `outcome`; a good one is (or stays) current. */
export function finishRelease(
  state: EnvironmentState,
  outcome: Pick<ReleaseRecord, 'status' | 'finishedAt' | 'attempts' | 'reason' | 'neverLive'>,
): EnvironmentState {
  const last = state.releases.at(-1);
  if (!last) return state;
  const finished: ReleaseRecord = { ...last, ...outcome };
  const next = { ...state, releases: [...state.releases.slice(0, -1), finished] };
  return outcome.status === 'good' ? markLive(next, outcome.finishedAt ?? last.startedAt) : next;
}

/** What the proxy was seen serving when an abandoned release is settled: a slot's name, or unknown. */
export type SlotSeen = { readonly slot: string } | 'unknown';

/**
 * The newest release ended, recorded by where it left users (productionAfter): reaching its
 * version, it is current (not verified unless good); never reaching it, the record goes back to
 * what they reached `before`; not known (an in-place driver ran, a switch was not read back), it
 * is left unsettled, so the next release looks before it trusts. The one rule for a release that
 * ends under its deploy (the journal) and for one a killed deploy left (settleAbandoned).
 */
export function endRelease(
  state: EnvironmentState,
  ending: Pick<ReleaseRecord, 'status' | 'attempts' | 'reason'> & {
    readonly finishedAt: string;
    readonly production: Production;
  },
  before: Pick<EnvironmentState, 'current' | 'previous'> = state,
): EnvironmentState {
  const { production, ...outcome } = ending;
  const reached = ending.status === 'good' || production === 'live-unverified';
  const never = !reached && !mayBeLive(production);
  const finished = finishRelease(state, { ...outcome, ...(never ? { neverLive: true } : {}) });
  if (reached) return markLive(atPhase(finished, 'live'), ending.finishedAt);
  return never ? unLive(finished, before) : finished;
}

/**
 * A release left `deploying` by a deploy that is gone (killed with its lock), recorded
 * interrupted, where productionAfter says it left users: before a blue-green switch began, what
 * they reached before (never live); at the switch, whatever the proxy is seen serving (`seen`;
 * unsettled when it could not be read); after it, or in place once the driver ran, its version
 * (live, not verified). Called only by a lock holder, so no live deploy is mistaken for a dead one.
 */
export function settleAbandoned(
  state: EnvironmentState,
  at: string,
  reason = 'abandoned: the deploy that started it ended without finishing (killed)',
  seen?: SlotSeen,
): EnvironmentState {
  const last = state.releases.at(-1);
  if (last?.status !== 'deploying') return state;
  const observed: Observed | undefined =
    seen === undefined ? undefined : seen === 'unknown' ? 'unknown' : seen.slot === last.slot ? 'new' : 'old';
  const production = productionAfter({
    phase: last.phase ?? 'driving',
    driverRan: true,
    fault: 'interrupted',
    ...(observed && (last.phase === 'switching' || last.phase === 'canary') ? { observed } : {}),
  });
  // Mid-canary, its traffic taken back: the canary was aborted, as the record says.
  const aborted = production === 'reverted';
  return endRelease(state, {
    status: aborted ? 'aborted' : 'interrupted',
    finishedAt: at,
    reason: `${reason}${abandonedAt(last.phase, production)}`,
    production,
  });
}

/** Where in a blue-green release it was abandoned, in words for its reason. */
function abandonedAt(phase: ReleasePhase | undefined, production: Production): string {
  if (phase === 'placing' || phase === 'verifying') return '; before the switch';
  if (phase === 'canary')
    return production === 'reverted'
      ? '; mid-canary: the canary was aborted, all traffic put back on the stable slot'
      : '; mid-canary, and the traffic could not be put back on the stable slot: the next release reads the proxy';
  if (phase !== 'switching') return '';
  return production === 'unknown'
    ? '; during the switch, whose outcome could not be read: the next release reads the proxy'
    : production === 'untouched'
      ? '; during the switch, which the proxy shows did not happen'
      : '';
}

/**
 * The newest release ended without users reaching it after all (a switch the proxy shows never
 * happened, or was undone): `current` and `previous` go back to what they were before it.
 */
export function unLive(
  state: EnvironmentState,
  before: Pick<EnvironmentState, 'current' | 'previous'>,
): EnvironmentState {
  const { current: _c, previous: _p, ...rest } = state;
  return {
    ...rest,
    ...(before.current ? { current: before.current } : {}),
    ...(before.previous ? { previous: before.previous } : {}),
  };
}

/** The state with every finished release of `version` marked bad, with why. */
export function markBad(state: EnvironmentState, version: string, reason: string): EnvironmentState {
  return {
    ...state,
    releases: state.releases.map((r) =>
      r.version === version && r.status !== 'deploying' ? { ...r, status: 'bad', reason } : r,
    ),
  };
}

/** The newest release of `version` marked bad, if any: a version once marked bad stays refused. */
export function findBad(state: EnvironmentState, version: string): ReleaseRecord | undefined {
  return state.releases.findLast((r) => r.version === version && r.status === 'bad');
}

/** The newest version verified good and not marked bad since, other than `except`. */
export function lastGood(state: EnvironmentState, except?: string): string | undefined {
  return state.releases.findLast(
    (r) => r.status === 'good' && r.version !== except && !findBad(state, r.version),
  )?.version;
}

/**
 * The release waiting for promotion: the newest one, paused on its slot (verified there, no user
 * reached it) and not stopped since. Any release after it (a deploy, a rollback) replaced it; a
 * promotion that never switched (refused, or cut short before its switch) leaves it waiting.
 */
export function awaitingPromotion(state: EnvironmentState): ReleaseRecord | undefined {
  const newest = newestSettled(state);
  // On its slot, or a canary across hosts paused at a step.
  return newest?.status === 'paused' && (newest.slot || newest.canary) && !newest.stopped
    ? newest
    : undefined;
}

/** The newest release that decides what waits: not one under way, nor a promotion that never switched. */
export function newestSettled(state: EnvironmentState): ReleaseRecord | undefined {
  // A promoted canary that went on with its steps ended the pause, however it ended.
  return state.releases.findLast(
    (release) =>
      release.status !== 'deploying' &&
      !(release.kind === 'promote' && release.neverLive && release.phase !== 'canary'),
  );
}

/** The paused release ended by `abort`: aborted, with why, and stopped when its slot was. */
export function abortPaused(
  state: EnvironmentState,
  paused: ReleaseRecord,
  ending: { readonly reason: string; readonly at: string; readonly stopped: boolean },
): EnvironmentState {
  const aborted: ReleaseRecord = {
    ...paused,
    status: 'aborted',
    reason: ending.reason,
    finishedAt: ending.at,
    ...(ending.stopped ? { stopped: true } : {}),
  };
  return { ...state, releases: state.releases.map((r) => (r === paused ? aborted : r)) };
}

/** What a rolling release learned of a host: its version, verified, in rotation. */
export type HostChange = Partial<Omit<HostRecord, 'since'>>;

/**
 * A host's record after `change`: a new version is unverified until said otherwise, and dates
 * from `at`.
 */
export function recordHost(
  state: EnvironmentState,
  name: string,
  change: HostChange,
  at: string,
): EnvironmentState {
  const was = state.hosts?.[name];
  const moved = change.version !== undefined && change.version !== was?.version;
  const version = change.version ?? was?.version;
  const next: HostRecord = {
    ...(version ? { version } : {}),
    since: moved || !was ? at : was.since,
    verified: change.verified ?? (moved ? false : (was?.verified ?? false)),
    inRotation: change.inRotation ?? was?.inRotation ?? true,
  };
  return { ...state, hosts: { ...state.hosts, [name]: next } };
}
