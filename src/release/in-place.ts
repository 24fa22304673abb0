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
    goLive: ({ environment, version, previous, signal }) =>
      drive(driver, retry, logger, { environment, version, ...(previous ? { previous } : {}), signal }),
    ...(driver.close ? { close: () => driver.close!() } : {}),
  };
}
