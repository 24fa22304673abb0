import type { EnvironmentState, ReleaseRecord } from '../ports.ts';

/**
 * Pure changes to an environment's state: the steps decide, these compute the next state,
 * the store writes it atomically.
 */

/** The state with a release for `version` started (status deploying). */
export function startRelease(state: EnvironmentState, record: ReleaseRecord): EnvironmentState {
  return { ...state, deployStart: record.startedAt, releases: [...state.releases, record] };
}

/** The state with the release started last finished as `status`; a good one becomes current. */
export function finishRelease(
  state: EnvironmentState,
  outcome: Pick<ReleaseRecord, 'status' | 'finishedAt' | 'attempts' | 'reason'>,
  options: { readonly becomesCurrent: boolean },
): EnvironmentState {
  const last = state.releases.at(-1);
  if (!last) return state;
  const finished: ReleaseRecord = { ...last, ...outcome };
  const releases = [...state.releases.slice(0, -1), finished];
  if (!options.becomesCurrent || state.current === last.version) return { ...state, releases };
  return {
    ...state,
    releases,
    current: last.version,
    ...(state.current ? { previous: state.current } : {}),
    lastDeployTimestamp: outcome.finishedAt ?? last.startedAt,
  };
}

/** The state with every release of `version` marked bad, with why. */
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

/** The version to roll back to: the newest good release that is not the current version. */
export function lastGoodBefore(state: EnvironmentState, current: string | undefined): string | undefined {
  return state.releases.findLast((r) => r.status === 'good' && r.version !== current)?.version;
}

/** Whether the newest release of the current version is good (so redeploying it would change nothing). */
export function currentIsGood(state: EnvironmentState): boolean {
  const last = state.releases.findLast((r) => r.version === state.current);
  return last?.status === 'good';
}
