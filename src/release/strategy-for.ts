import { createDriver } from '../deploy/create-driver.ts';
import { type VerifyDeps, verifyDeployment } from '../deploy/verify.ts';
import type { TargetSettings } from '../model/release.ts';
import { trafficSwitchFor } from '../traffic/traffic-switch-for.ts';
import { blueGreenStrategy } from './blue-green.ts';
import { inPlaceStrategy } from './in-place.ts';
import { rollSetup } from './roll-setup.ts';
import { rollingStrategy } from './rolling.ts';
import type { ReleaseStrategy } from './strategy.ts';

/** The strategy a target's settings ask for, with its driver (and its traffic switch, or its load balancer's gate). */
export function strategyFor(
  target: TargetSettings,
  deps: VerifyDeps,
  driver = createDriver(target.driver, deps.runner, deps.logger, target.hosts, (host, version, signal) =>
    verifyDeployment(target.hosts!.verify[host.name]!, version, { ...deps, signal }),
  ),
): ReleaseStrategy {
  const { strategy } = target;
  if (strategy.kind === 'blue-green')
    return blueGreenStrategy(
      driver,
      strategy,
      target.retry,
      trafficSwitchFor(strategy, target.environment, deps),
      deps,
    );
  if (strategy.kind === 'rolling') return rollingStrategy(strategy, rollSetup(target, strategy, deps));
  return inPlaceStrategy(driver, target.retry, deps.logger);
}
