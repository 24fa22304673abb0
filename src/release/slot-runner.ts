import { createFleet } from '../deploy/create-driver.ts';
import { hostOfSlot } from '../deploy/fleet.ts';
import type { TargetSettings } from '../model/release.ts';
import type { CommandRunner, Logger } from '../ports.ts';

/**
 * Runs `work` with where `slot`'s commands run (stop-command): the slot's host over SSH when
 * hosts names it (its connection opened for this and closed after), else here.
 */
export async function withSlotRunner<T>(
  target: TargetSettings,
  deps: { readonly runner: CommandRunner; readonly logger: Logger },
  slot: string,
  work: (runner: CommandRunner) => Promise<T>,
): Promise<T> {
  if (!target.hosts) return work(deps.runner);
  const fleet = createFleet(target.driver, target.hosts, deps.runner, deps.logger);
  try {
    return await work(fleet.runnerFor(hostOfSlot(fleet.hosts, slot)));
  } finally {
    await fleet.close();
  }
}
