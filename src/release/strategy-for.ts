import { createDriver } from '../deploy/create-driver.ts';
import { type VerifyDeps, verifyDeployment } from '../deploy/verify.ts';
import type { TargetSettings } from '../model/release.ts';
import { trafficSwitchFor } from '../traffic/traffic-switch-for.ts';
import { blueGreenStrategy } from './blue-green.ts';
import { inPlaceStrategy } from './in-place.ts';
import type { ReleaseStrategy } from './strategy.ts';

/** The strategy a target's settings ask for, with its driver (and, for blue-green, its traffic switch). */
export function strategyFor(
  target: TargetSettings,
  deps: VerifyDeps,
  driver = createDriver(target.driver, deps.runner, deps.logger, target.hosts, (host, version, signal) =>
    verifyDeployment(target.hosts!.verify[host]!, version, { ...deps, signal }),
  ),
): ReleaseStrategy {
  if (target.strategy.kind === 'blue-green')
    return blueGreenStrategy(
      driver,
      target.strategy,
      target.retry,
      trafficSwitchFor(target.strategy, target.environment, deps),
      deps,
    );
  return inPlaceStrategy(driver, target.retry, deps.logger);
}
