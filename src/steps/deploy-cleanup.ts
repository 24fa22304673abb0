import { finishRelease } from '../deploy/state-changes.ts';
import type { Clock, DeployLock, Logger, RunContext, StateStore } from '../ports.ts';

/**
 * The deploy action's post step: if its main step was killed while holding the lock (the
 * runner's SIGKILL after a cancel), release that lock and mark the release it left
 * `deploying` as interrupted. Does nothing after a main step that finished normally.
 */
export async function runDeployCleanup(
  environment: string,
  token: string,
  deps: { logger: Logger; clock: Clock; store: StateStore; lock: DeployLock; run: RunContext },
): Promise<'released' | 'nothing-to-do'> {
  if (!(await deps.lock.releaseToken(environment, token))) return 'nothing-to-do';
  const state = await deps.store.read(environment);
  const last = state.releases.at(-1);
  if (last?.status === 'deploying' && last.runUrl === deps.run.runUrl) {
    await deps.store.write(
      finishRelease(
        state,
        {
          status: 'interrupted',
          finishedAt: new Date(deps.clock.now()).toISOString(),
          reason: 'the deploy step was killed',
        },
        { becomesCurrent: false },
      ),
    );
  }
  deps.logger.warning(
    `The deploy step ended without releasing the ${environment} lock (it was killed): released it${last?.status === 'deploying' ? ` and marked ${last.version} interrupted` : ''}. State says ${state.current ?? 'nothing'} is current.`,
  );
  return 'released';
}
