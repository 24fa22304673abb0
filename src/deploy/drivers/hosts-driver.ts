import type { HostsSettings } from '../../model/release.ts';
import type { Logger } from '../../ports.ts';
import { AttemptFailedError, type DeployDriver, type DriverHost } from '../driver.ts';
import type { Fleet } from '../fleet.ts';
import type { Verification } from '../verify.ts';

/** Checks `host` with the probes that name it, once its deploy ran. */
export type VerifyHost = (host: DriverHost, version: string, signal: AbortSignal) => Promise<Verification>;

/**
 * A driver run on every host of the fleet, one after the other (in place), each host verified
 * on its own address before the next is touched. A host that fails ends the attempt, naming it;
 * the hosts before it have the new version.
 */
export function createHostsDriver(
  fleet: Fleet,
  verify: HostsSettings['verify'],
  logger: Logger,
  verifyHost: VerifyHost | undefined,
): DeployDriver {
  const names = fleet.hosts.map((host) => host.name).join(', ');
  return {
    name: fleet.planned.name,
    plan: (version) => `on ${names}, one after the other: ${fleet.planned.plan(version)}`,
    reach: (signal) => fleet.reach?.(signal) ?? Promise.resolve(undefined),
    async run(request) {
      const facts: Record<string, string> = {};
      for (const [at, host] of fleet.hosts.entries()) {
        const driver = fleet.driverFor(host);
        logger.info(`On ${host.name} (${host.ssh ?? host.name}): ${driver.name}`);
        const untouched = fleet.hosts.slice(at + 1).map((h) => h.name);
        const rest = untouched.length > 0 ? `; ${untouched.join(', ')} not deployed` : '';
        try {
          const done = await driver.run({ ...request, host });
          facts[host.name] = done.summary;
        } catch (error) {
          const reason = `on ${host.name}: ${(error as Error).message}${rest}`;
          throw new AttemptFailedError(reason, { ...facts, [host.name]: 'failed' });
        }
        // Verified on this host before the next one is touched: a broken release stops here.
        const checked = verify[host.name];
        if (
          !verifyHost ||
          !checked ||
          (checked.probes.length === 0 && !checked.versionUrl && !checked.versionCommand)
        )
          continue;
        logger.info(`Verifying ${request.version} on ${host.name} before the next host`);
        const verification = await verifyHost(host, request.version, request.signal);
        if (!verification.ok)
          throw new AttemptFailedError(
            `on ${host.name}: verification failed: ${verification.reason}${rest}`,
            {
              ...facts,
              [host.name]: 'deployed, not verified',
            },
          );
        facts[host.name] = `${facts[host.name]}; verified`;
      }
      return { summary: `${request.version} on ${names}`, facts };
    },
    close: () => fleet.close(),
  };
}
