import type { DeployDriver } from '../deploy/driver.ts';
import type { RetryPolicy } from '../deploy/retry.ts';
import type { Logger } from '../ports.ts';
import { drive } from './drive.ts';
import type { ReleaseStrategy } from './strategy.ts';

/**
 * In place: the driver replaces what runs (stop, then start) with retries. Production may change
 * from the first attempt on (productionAfter: `driving`).
 */
export function inPlaceStrategy(
  driver: DeployDriver,
  retry: RetryPolicy & { readonly attemptTimeoutMs: number },
  logger: Logger,
): ReleaseStrategy {
  return {
    name: 'in-place',
    changesInPlace: true,
    plan: (version) => `${driver.plan(version)} (in place)`,
    async goLive({ environment, version, previous, signal }) {
      // Hosts over SSH: every one reached before the first is changed; an unreachable one changes nothing.
      const unreachable = await driver.reach?.(signal);
      if (unreachable)
        return {
          ok: false,
          reason: `${unreachable}: no host was changed`,
          attempts: [],
          facts: {},
          production: 'untouched',
        };
      return drive(driver, retry, logger, {
        environment,
        version,
        ...(previous ? { previous } : {}),
        signal,
      });
    },
    ...(driver.close ? { close: () => driver.close!() } : {}),
  };
}
