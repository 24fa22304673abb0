import type { Clock, EnvironmentState, Logger, ReleaseBackend } from '../ports.ts';
import { settleAbandoned } from '../release/release-state.ts';

/**
 * The deploy action's (and the root action's) post step: if its main step was killed while
 * holding the environment (the runner's SIGKILL after a cancel), end that session, its driver's
 * process groups stopped, and record the release it left `deploying` as interrupted: live and
 * not verified, since it may have changed production. Does nothing after a main step that
 * finished normally.
 */
export async function runDeployCleanup(
  environment: string,
  token: string,
  deps: { logger: Logger; clock: Clock; backend: ReleaseBackend; run: { runUrl?: string } },
): Promise<'released' | 'nothing-to-do'> {
  let left: string | undefined;
  const settle = (state: EnvironmentState): EnvironmentState => {
    const last = state.releases.at(-1);
    if (last?.status !== 'deploying' || last.runUrl !== deps.run.runUrl) return state;
    left = last.version;
    return settleAbandoned(state, new Date(deps.clock.now()).toISOString(), 'the deploy step was killed');
  };
  if (!(await deps.backend.endAbandoned(environment, token, settle))) return 'nothing-to-do';
  deps.logger.warning(
    `The deploy step ended without releasing the ${environment} lock (it was killed): released it${left ? ` and marked ${left} interrupted: it may be live, and it is not verified` : ''}.`,
  );
  return 'released';
}
