import { deployEnv, runLogged } from '../deploy/driver.ts';
import type { Slot, SlotStop } from '../model/release.ts';
import type { CommandRunner, Logger } from '../ports.ts';

/**
 * stop-command against `slot`, with DEPLOY_SLOT, its address and the version it ran set: true
 * when it stopped. A failure only warns, saying the slot may still run that version: what
 * stopping it served (a scale-down, a rejected release) stands either way.
 */
export async function stopSlot(
  stop: SlotStop,
  what: { readonly version: string; readonly environment: string; readonly slot: Slot },
  deps: { readonly runner: CommandRunner; readonly logger: Logger; readonly signal?: AbortSignal },
  timeoutMs: number,
): Promise<boolean> {
  const how =
    'command' in stop
      ? { command: stop.command, env: deployEnv(what) }
      : { argv: stop.argv(what.slot.name), env: { ...deployEnv(what), ...stop.env } };
  const stopped = await runLogged(deps.runner, deps.logger, 'the stop command', {
    ...how,
    timeoutMs,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (stopped.failure)
    deps.logger.warning(`${stopped.failure}: slot ${what.slot.name} may still run ${what.version}`);
  return !stopped.failure;
}
