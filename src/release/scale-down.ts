import { deployEnv, runLogged } from '../deploy/driver.ts';
import { formatDuration } from '../durations.ts';
import type { TargetSettings } from '../model/release.ts';
import { trafficSwitchFor } from '../traffic/traffic-switch-for.ts';
import type { SessionDeps } from './release-deps.ts';
import { markStopped, slotContents } from './release-state.ts';

/**
 * Blue-green, once a release is verified (by the deploy, or by the pipeline's health check
 * after it): waits `scale-down-delay`, then stops the slot users no longer reach with
 * `stop-command`, and records it stopped (a rollback then deploys into it again instead of
 * switching back). Holding the environment's lock, so no release switches meanwhile. A failure
 * only warns: the release is done.
 */
export async function scaleDownOldSlot(target: TargetSettings, deps: SessionDeps): Promise<void> {
  const { strategy } = target;
  if (strategy.kind !== 'blue-green' || !strategy.scaleDown) return;
  const traffic = trafficSwitchFor(strategy, target.environment, deps);
  const [live] = await traffic.live();
  const old = strategy.slots.find((slot) => slot.name !== live);
  const state = await deps.session.read();
  const ran = old && slotContents(state).get(old.name);
  if (!old || !ran || ran.stopped) return;
  deps.logger.info(
    `Slot ${old.name} (${ran.version}) stays warm for ${formatDuration(strategy.scaleDown.delayMs)}, then stop-command stops it`,
  );
  await deps.clock.sleep(strategy.scaleDown.delayMs, deps.signal);
  if ((await traffic.live()).includes(old.name)) return; // traffic came back to it: keep it
  const stop = await runLogged(deps.runner, deps.logger, 'the stop command', {
    command: strategy.scaleDown.command,
    env: deployEnv({ version: ran.version, environment: target.environment, slot: old }),
    timeoutMs: target.retry.attemptTimeoutMs,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (stop.failure) {
    deps.logger.warning(`${stop.failure}: slot ${old.name} may still run ${ran.version}`);
    return;
  }
  await deps.session.write(markStopped(await deps.session.read(), old.name));
  deps.logger.info(`Stopped slot ${old.name} (${ran.version})`);
}
