import type { Clock, DeployLock, Logger, RunContext, StateStore } from '../ports.ts';
import { finishRelease, markLive } from '../release/release-state.ts';

/**
 * The deploy action's post step: if its main step was killed while holding the lock (the
 * runner's SIGKILL after a cancel), release that lock and record the release it left
 * `deploying` as interrupted, live and not verified (it may have changed production).
 * Does nothing after a main step that finished normally.
 */
export async function runDeployCleanup(
  environment: string,
  token: string,
  deps: { logger: Logger; clock: Clock; store: StateStore; lock: DeployLock; run: RunContext },
): Promise<'released' | 'nothing-to-do'> {
  if (!(await deps.lock.releaseToken(environment, token))) return 'nothing-to-do';
  let state = await deps.store.read(environment);
  const last = state.releases.at(-1);
  const left = last?.status === 'deploying' && last.runUrl === deps.run.runUrl ? last : undefined;
  if (left) {
    const at = new Date(deps.clock.now()).toISOString();
    state = markLive(
      finishRelease(state, { status: 'interrupted', finishedAt: at, reason: 'the deploy step was killed' }),
      at,
    );
    await deps.store.write(state);
  }
  deps.logger.warning(
    `The deploy step ended without releasing the ${environment} lock (it was killed): released it${left ? ` and marked ${left.version} interrupted: it may be live, and it is not verified` : ''}. The record says ${state.current ?? 'nothing'} is current.`,
  );
  return 'released';
}
