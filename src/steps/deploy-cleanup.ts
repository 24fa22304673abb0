import type { VerifyDeps } from '../deploy/verify.ts';
import type { TargetSettings } from '../model/release.ts';
import type { Clock, EnvironmentState, Logger, ReleaseBackend } from '../ports.ts';
import { canaryUnderway, recoverCanary } from '../release/canary-restore.ts';
import { type SlotSeen, settleAbandoned } from '../release/release-state.ts';

/**
 * The deploy action's (and the root action's) post step: if its main step was killed while
 * holding the environment (the runner's SIGKILL after a cancel), end that session, its driver's
 * process groups stopped, and record the release it left `deploying` as interrupted: live and
 * not verified, since it may have changed production. A canary it left with a share of the
 * traffic has that traffic put back on the stable slot first (the abandoned session still holds
 * the environment, so nothing else acts meanwhile), and is recorded aborted. Does nothing after
 * a main step that finished normally.
 */
export async function runDeployCleanup(
  settings: TargetSettings,
  token: string,
  deps: VerifyDeps & { logger: Logger; clock: Clock; backend: ReleaseBackend; run: { runUrl?: string } },
): Promise<'released' | 'nothing-to-do'> {
  const { environment } = settings;
  const mine = (state: EnvironmentState) => {
    const last = state.releases.at(-1);
    return last?.status === 'deploying' && last.runUrl === deps.run.runUrl ? last : undefined;
  };
  const recover = recoverCanary(settings, deps);
  const before = recover ? await deps.backend.read(environment).catch(() => undefined) : undefined;
  const seen: SlotSeen | undefined =
    before && mine(before) && canaryUnderway(before) === mine(before)
      ? await recover!(before).catch((error: Error) => {
          deps.logger.error(`putting the canary's traffic back on the stable slot failed: ${error.message}`);
          return 'unknown' as const;
        })
      : undefined;
  let left: string | undefined;
  const settle = (state: EnvironmentState): EnvironmentState => {
    if (!mine(state)) return state;
    left = state.releases.at(-1)!.version;
    return settleAbandoned(
      state,
      new Date(deps.clock.now()).toISOString(),
      'the deploy step was killed',
      seen,
    );
  };
  if (!(await deps.backend.endAbandoned(environment, token, settle))) return 'nothing-to-do';
  deps.logger.warning(
    `The deploy step ended without releasing the ${environment} lock (it was killed): released it${whatBecameOf(left, seen)}.`,
  );
  return 'released';
}

/** What the post step did with the release the killed step left, if any. */
function whatBecameOf(left: string | undefined, seen: SlotSeen | undefined): string {
  if (left === undefined) return '';
  if (seen && seen !== 'unknown')
    return `, put the canary's traffic back on ${seen.slot} and recorded ${left} aborted`;
  return ` and marked ${left} interrupted: it may be live, and it is not verified`;
}
