import { tmpdir } from 'node:os';
import type { HostsSettings } from '../../model/release.ts';
import { formatSshEndpoint } from '../../model/ssh-endpoint.ts';
import type { CommandRunner, Logger } from '../../ports.ts';
import { SshSession } from '../../target/ssh-session.ts';
import { SshTarget } from '../../target/ssh-target.ts';
import type { Target } from '../../target/target.ts';
import { AttemptFailedError, type DeployDriver, type DriverHost } from '../driver.ts';
import type { Verification } from '../verify.ts';

/** Checks `host` with the probes that name it, once its deploy ran. */
export type VerifyHost = (host: string, version: string, signal: AbortSignal) => Promise<Verification>;

/**
 * A driver run on every host, one after the other (in place): each host's driver made from its
 * target (the host over SSH) and its name and address. The SSH session (the generated config,
 * the key written 0600, one connection per host) opens at the first run and ends with `close`.
 * A host that fails ends the attempt, naming it; the hosts before it have the new version.
 */
export function createHostsDriver(
  settings: HostsSettings,
  runner: CommandRunner,
  logger: Logger,
  verifyHost: VerifyHost | undefined,
  perHost: (target: Target, host: DriverHost) => DeployDriver,
): DeployDriver {
  let session: SshSession | undefined;
  const open = () => {
    session ??= SshSession.open({ ...settings, connectTimeoutSeconds: 10 }, runner, tmpdir());
    return session;
  };
  const hostOf = (host: HostsSettings['hosts'][number]): DriverHost => ({
    name: host.name,
    ssh: formatSshEndpoint(host.endpoint),
    ...(host.address ? { address: host.address } : {}),
  });
  const names = settings.hosts.map((host) => host.name).join(', ');
  // The drivers made for the plan reach no host: the plan and the name say what would run where.
  const [first] = settings.hosts;
  const planned = perHost(planOnly(first!.name), hostOf(first!));
  return {
    name: planned.name,
    plan: (version) => `on ${names}, one after the other: ${planned.plan(version)}`,
    async run(request) {
      const facts: Record<string, string> = {};
      for (const [at, host] of settings.hosts.entries()) {
        const driver = perHost(new SshTarget(open(), host.name), hostOf(host));
        logger.info(`On ${host.name} (${formatSshEndpoint(host.endpoint)}): ${driver.name}`);
        const untouched = settings.hosts.slice(at + 1).map((h) => h.name);
        const rest = untouched.length > 0 ? `; ${untouched.join(', ')} not deployed` : '';
        try {
          const done = await driver.run({ ...request, host: hostOf(host) });
          facts[host.name] = done.summary;
        } catch (error) {
          const reason = `on ${host.name}: ${(error as Error).message}${rest}`;
          throw new AttemptFailedError(reason, { ...facts, [host.name]: 'failed' });
        }
        // Verified on this host before the next one is touched: a broken release stops here.
        const checked = settings.verify[host.name];
        if (!verifyHost || !checked || (checked.probes.length === 0 && !checked.versionUrl)) continue;
        logger.info(`Verifying ${request.version} on ${host.name} before the next host`);
        const verification = await verifyHost(host.name, request.version, request.signal);
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
    async close() {
      await session?.close();
      session = undefined;
    },
  };
}

/** A target for `plan` only: the plan names what would run, nothing is reached. */
function planOnly(name: string): Target {
  const never = () => Promise.reject(new Error('a plan reaches no host'));
  return {
    name,
    runner: { run: never },
    exists: never,
    install: never,
    readLink: never,
    switchLink: never,
    list: never,
    realPath: never,
    remove: never,
  };
}
