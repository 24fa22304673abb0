import { tmpdir } from 'node:os';
import type { HostsSettings } from '../model/release.ts';
import { formatSshEndpoint } from '../model/ssh-endpoint.ts';
import type { CommandRunner } from '../ports.ts';
import { SshSession } from '../target/ssh-session.ts';
import { SshTarget } from '../target/ssh-target.ts';
import type { Target } from '../target/target.ts';
import type { DeployDriver, DriverHost } from './driver.ts';

/** Makes the driver of one host, working on its target. */
export type PerHostDriver = (target: Target, host: DriverHost) => DeployDriver;

/**
 * The hosts of a release and a driver for each, over one SSH session: the generated config, the
 * key written 0600, one connection per host, opened at the first driver that reaches a host and
 * ended by `close`. The planned driver reaches no host: the plan names what would run where.
 */
export interface Fleet {
  readonly hosts: readonly DriverHost[];
  driverFor(host: DriverHost): DeployDriver;
  /** Runs commands on `host` (stop-command on a blue-green slot's host). */
  runnerFor(host: DriverHost): CommandRunner;
  readonly planned: DeployDriver;
  /** A driver that runs a whole batch at once (ansible-playbook --limit), instead of one per host. */
  readonly batchDriver?: DeployDriver;
  /**
   * Connects to every host at once (the release's connections): why a host cannot be reached,
   * each named, or undefined. Run before anything changes, so an unreachable host changes nothing.
   */
  reach?(signal: AbortSignal): Promise<string | undefined>;
  close(): Promise<void>;
}

export function openFleet(settings: HostsSettings, runner: CommandRunner, perHost: PerHostDriver): Fleet {
  let session: SshSession | undefined;
  const open = () => {
    session ??= SshSession.open({ ...settings, connectTimeoutSeconds: 10 }, runner, tmpdir());
    return session;
  };
  const hosts = settings.hosts.map(
    (host): DriverHost => ({
      name: host.name,
      ssh: formatSshEndpoint(host.endpoint),
      ...(host.address ? { address: host.address } : {}),
    }),
  );
  return {
    hosts,
    driverFor: (host) => perHost(new SshTarget(open(), host.name), host),
    runnerFor: (host) => new SshTarget(open(), host.name).runner,
    async reach(signal) {
      const session = open();
      const why = await Promise.all(hosts.map((host) => session.check(host.name, signal)));
      return why.filter(Boolean).join('; ') || undefined;
    },
    planned: perHost(planOnly(hosts[0]!.name), hosts[0]!),
    async close() {
      await session?.close();
      session = undefined;
    },
  };
}

/**
 * Blue-green on hosts: each slot's driver runs on its host (the one host, or the host named like
 * the slot), with the slot and the host given; the plan names them; close ends the connections.
 */
export function slotHostsDriver(fleet: Fleet): DeployDriver {
  const names = fleet.hosts.map((host) => host.name).join(', ');
  return {
    name: fleet.planned.name,
    plan: (version) => `on ${names}: ${fleet.planned.plan(version)}`,
    reach: (signal) => fleet.reach?.(signal) ?? Promise.resolve(undefined),
    run(request) {
      const host = hostOfSlot(fleet.hosts, request.slot?.name ?? '');
      return fleet.driverFor(host).run({ ...request, host });
    },
    close: () => fleet.close(),
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

/** The host a blue-green slot runs on: the one host of hosts, or the host named like the slot. */
export function hostOfSlot<T extends Pick<DriverHost, 'name'>>(hosts: readonly T[], slot: string): T {
  return hosts.length === 1 ? hosts[0]! : (hosts.find((host) => host.name === slot) ?? hosts[0]!);
}
