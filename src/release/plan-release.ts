import type { Remedy } from '../errors.ts';
import type { EnvironmentState } from '../ports.ts';
import { awaitingPromotion, findBad, lastGood, liveView, newestSettled } from './release-state.ts';

/**
 * What a release will do, decided from the record alone (pure; the skeleton acts on it).
 * A refusal names the input at fault; the face words it for its users.
 */
export type ReleasePlan =
  | { readonly kind: 'refuse'; readonly input: string; readonly problem: string; readonly remedy?: Remedy }
  /** The version is current and verified: check it still runs, and change nothing if it does. */
  | { readonly kind: 'confirm'; readonly version: string }
  | {
      readonly kind: 'release';
      readonly version: string;
      /** What users may be reaching before (the version this release replaces). */
      readonly from?: string;
      /** A version to mark bad as the release starts (a rollback's from). */
      readonly markBad?: string;
      /** Said before the release starts (why a current version runs again). */
      readonly note?: string;
    };

const FORCE: Remedy = { input: 'force', value: 'true' };

export interface DeployRequest {
  readonly version: string;
  readonly force: boolean;
}

export function planDeploy(state: EnvironmentState, request: DeployRequest): ReleasePlan {
  const { version, force } = request;
  const bad = findBad(state, version);
  if (bad && !force)
    return {
      kind: 'refuse',
      input: 'version',
      problem: `${version} is marked bad (${bad.reason ?? 'no reason recorded'}); deploy another version`,
      remedy: FORCE,
    };
  const live = liveView(state);
  if (live.version === version && live.verified && !force) return { kind: 'confirm', version };
  const note =
    live.version === version && !force
      ? `${version} is current but not verified (${live.unsettled?.version} ${live.unsettled?.status}): deploying it again`
      : undefined;
  const from = live.unsettled?.version ?? live.version;
  return { kind: 'release', version, ...(from ? { from } : {}), ...(note ? { note } : {}) };
}

export interface RollbackRequest {
  /** Roll back to this version; otherwise the last good one. */
  readonly toVersion?: string;
  readonly force: boolean;
  /**
   * Why the caller judged the live version bad (the pipeline's failed health check). Without it,
   * a verified current version is good and is left alone unless `toVersion` names where to go.
   */
  readonly because?: string;
}

/**
 * Rolls back what the record says may be live: the newest release when it did not end good
 * (failed, interrupted, abandoned), else the verified current version, which is stepped back
 * from only when the caller says why or names the version to go to.
 */
export function planRollback(state: EnvironmentState, request: RollbackRequest): ReleasePlan {
  const live = liveView(state);
  const from = live.unsettled?.version ?? live.version;
  if (!from)
    return {
      kind: 'refuse',
      input: 'environment',
      problem: `no deploy of ${state.environment} is recorded in the state, so there is nothing to roll back`,
    };
  if (live.verified && !request.toVersion && !request.because)
    return {
      kind: 'refuse',
      input: 'to-version',
      problem: `${from} is live and was verified good, so there is nothing to roll back; to step back from a good version, name the version to go to`,
    };
  const to = request.toVersion ?? lastGood(state, from);
  if (!to)
    return {
      kind: 'refuse',
      input: 'to-version',
      problem: `no good version before ${from} is recorded; name the version to go to`,
    };
  if (to === from)
    return {
      kind: 'refuse',
      input: 'to-version',
      problem: `${to} is the version being rolled back from`,
    };
  if (!state.releases.some((r) => r.version === to)) {
    const known = [...new Set(state.releases.map((r) => r.version))].join(', ');
    return {
      kind: 'refuse',
      input: 'to-version',
      problem: `${to} was never deployed to ${state.environment} (known: ${known})`,
    };
  }
  const bad = findBad(state, to);
  if (bad && !request.force)
    return {
      kind: 'refuse',
      input: 'to-version',
      problem: `${to} is marked bad (${bad.reason ?? 'no reason recorded'}); choose another`,
      remedy: FORCE,
    };
  return { kind: 'release', version: to, from, markBad: from };
}

/**
 * Promotes the release paused on its slot (promotion: manual): the same version, from what users
 * reach now. Nothing paused is a refusal that says what the newest release is.
 */
export function planPromote(state: EnvironmentState): ReleasePlan {
  const paused = awaitingPromotion(state);
  if (!paused) return { kind: 'refuse', input: 'environment', problem: nothingPaused(state) };
  const live = liveView(state);
  const from = live.unsettled?.version ?? live.version;
  return { kind: 'release', version: paused.version, ...(from ? { from } : {}) };
}

/** Why there is nothing to promote or abort, from the newest release. */
export function nothingPaused(state: EnvironmentState): string {
  const newest = newestSettled(state);
  const what = !newest
    ? 'no release is recorded'
    : newest.status === 'paused'
      ? `the newest release, ${newest.version}, was paused on slot ${newest.slot}, which has been stopped since`
      : `the newest release is ${newest.version} (${newest.status})`;
  return `nothing in ${state.environment} waits for promotion: ${what}; a deploy with promotion: manual pauses one`;
}
