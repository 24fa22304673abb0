import { createFleet } from '../deploy/create-driver.ts';
import type { TargetSettings } from '../model/release.ts';
import type { CommandRunner, Logger } from '../ports.ts';

/**
 * Runs `work` with where the slots' commands run (stop-command): the slots' host over SSH when
 * hosts names it (its connection opened for this and closed after), else here.
 */
export async function withSlotRunner<T>(
  target: TargetSettings,
  deps: { readonly runner: CommandRunner; readonly logger: Logger },
  work: (runner: CommandRunner) => Promise<T>,
): Promise<T> {
  if (!target.hosts) return work(deps.runner);
  const fleet = createFleet(target.driver, target.hosts, deps.runner, deps.logger);
  try {
    return await work(fleet.runnerFor(fleet.hosts[0]!));
  } finally {
    await fleet.close();
  }
}
