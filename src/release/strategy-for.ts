import { createDriver, createFleet } from '../deploy/create-driver.ts';
import type { DeployDriver } from '../deploy/driver.ts';
import { createHostsDriver } from '../deploy/drivers/hosts-driver.ts';
import { hostOfSlot, slotHostsDriver } from '../deploy/fleet.ts';
import { type VerifyDeps, verifyDeployment } from '../deploy/verify.ts';
import type { TargetSettings } from '../model/release.ts';
import { trafficSwitchFor } from '../traffic/traffic-switch-for.ts';
import { blueGreenStrategy } from './blue-green.ts';
import { canaryHostsStrategy } from './canary-hosts.ts';
import { canarySlotsStrategy } from './canary-slots.ts';
import { inPlaceStrategy } from './in-place.ts';
import { rollSetup } from './roll-setup.ts';
import { rollingStrategy } from './rolling.ts';
import type { ReleaseStrategy } from './strategy.ts';

/**
 * The strategy a target's settings ask for, with its driver (and its traffic switch, or its load
 * balancer's gate). With hosts, the driver works over SSH: on each host in turn (in place), or on
 * the slots' host (blue-green, where stop-command runs too).
 */
export function strategyFor(
  target: TargetSettings,
  deps: VerifyDeps,
  driver?: DeployDriver,
): ReleaseStrategy {
  const { strategy, hosts } = target;
  if (strategy.kind === 'rolling')
    return strategy.canary
      ? canaryHostsStrategy(strategy, strategy.canary, rollSetup(target, strategy, deps), deps)
      : rollingStrategy(strategy, rollSetup(target, strategy, deps));
  const fleet = hosts ? createFleet(target.driver, hosts, deps.runner, deps.logger) : undefined;
  if (strategy.kind === 'blue-green') {
    const parts = {
      driver:
        driver ?? (fleet ? slotHostsDriver(fleet) : createDriver(target.driver, deps.runner, deps.logger)),
      settings: strategy,
      retry: target.retry,
      traffic: trafficSwitchFor(strategy, target.environment, deps),
      deps,
      slotRunner: (slot: string) => (fleet ? fleet.runnerFor(hostOfSlot(fleet.hosts, slot)) : deps.runner),
    };
    return strategy.canary
      ? canarySlotsStrategy(parts, strategy.canary)
      : blueGreenStrategy(parts.driver, strategy, parts.retry, parts.traffic, deps, parts.slotRunner);
  }
  const onHosts =
    fleet &&
    hosts &&
    createHostsDriver(fleet, hosts.verify, deps.logger, (host, version, signal) =>
      // version-command runs on the host it asks.
      verifyDeployment(hosts.verify[host.name]!, version, { ...deps, runner: fleet.runnerFor(host), signal }),
    );
  return inPlaceStrategy(
    driver ?? onHosts ?? createDriver(target.driver, deps.runner, deps.logger),
    target.retry,
    deps.logger,
  );
}
