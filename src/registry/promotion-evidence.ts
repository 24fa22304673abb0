import { digestOf } from '../model/image.ts';
import type { EnvironmentState, ReleaseRecord } from '../ports.ts';

/** Whether an environment's record vouches for a digest: the release that proves it, or why not. */
export type Evidence =
  | { readonly ok: true; readonly release: ReleaseRecord }
  | { readonly ok: false; readonly problem: string };

/**
 * A digest may be promoted out of `environment` only if the record there shows a release of it
 * that was deployed and verified good, and none that marked it bad since: the exact bytes that
 * were tested, never a rebuild, a sibling tag or a digest that only ever failed there.
 */
export function promotionEvidence(state: EnvironmentState, digest: string, environment: string): Evidence {
  const releases = state.releases.filter((release) => digestOf(release.version) === digest);
  if (releases.length === 0)
    return {
      ok: false,
      problem: `${digest} was never deployed to ${environment} (its record has no release of it)`,
    };
  const bad = releases.findLast((release) => release.status === 'bad');
  if (bad)
    return {
      ok: false,
      problem: `${digest} is marked bad on ${environment}${bad.reason ? ` (${bad.reason})` : ''}`,
    };
  const good = releases.findLast((release) => release.status === 'good');
  if (!good) {
    const last = releases.at(-1)!;
    return {
      ok: false,
      problem: `${digest} was deployed to ${environment} but never verified good there (its last release there: ${last.status})`,
    };
  }
  return { ok: true, release: good };
}
