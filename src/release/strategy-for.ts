import { createDriver, createFleet } from '../deploy/create-driver.ts';
import { type VerifyDeps, verifyDeployment } from '../deploy/verify.ts';
import type { TargetSettings } from '../model/release.ts';
import { hostGateFor } from '../traffic/host-gate-for.ts';
import { trafficSwitchFor } from '../traffic/traffic-switch-for.ts';
import { blueGreenStrategy } from './blue-green.ts';
import { inPlaceStrategy } from './in-place.ts';
import { rollingStrategy } from './rolling.ts';
import type { ReleaseStrategy } from './strategy.ts';

/** The strategy a target's settings ask for, with its driver (and its traffic switch, or its load balancer's gate). */
export function strategyFor(
  target: TargetSettings,
  deps: VerifyDeps,
  driver = createDriver(target.driver, deps.runner, deps.logger, target.hosts, (host, version, signal) =>
    verifyDeployment(target.hosts!.verify[host]!, version, { ...deps, signal }),
  ),
): ReleaseStrategy {
  const { strategy, hosts } = target;
  if (strategy.kind === 'blue-green')
    return blueGreenStrategy(
      driver,
      strategy,
      target.retry,
      trafficSwitchFor(strategy, target.environment, deps),
      deps,
    );
  if (strategy.kind === 'rolling') {
    if (!hosts) throw new Error('strategy: rolling needs hosts (the settings refuse it without)');
    const fleet = createFleet(target.driver, hosts, deps.runner, deps.logger);
    return rollingStrategy(strategy, {
      fleet,
      gate: hostGateFor(strategy, fleet.hosts, target.environment, deps),
      verifyHost: (host, version, signal) =>
        verifyDeployment(hosts.verify[host]!, version, { ...deps, signal }),
      retry: target.retry,
      logger: deps.logger,
      now: () => deps.clock.now(),
    });
  }
  return inPlaceStrategy(driver, target.retry, deps.logger);
}
