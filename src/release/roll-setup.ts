import { readInventoryHosts } from '../deploy/ansible-inventory.ts';
import { createFleet } from '../deploy/create-driver.ts';
import type { DeployDriver } from '../deploy/driver.ts';
import { createAnsibleDriver } from '../deploy/drivers/ansible-driver.ts';
import { type VerifyDeps, verifyDeployment } from '../deploy/verify.ts';
import type { RollingSettings, TargetSettings } from '../model/release.ts';
import { hostGateFor } from '../traffic/host-gate-for.ts';
import type { RollParts } from './roll-batch.ts';

/** What a rolling release needs before its first batch: its hosts, their drivers, the balancer. */
export interface RollSetup {
  /** The hosts, for the plan's line, before they are read. */
  readonly hostsText: string;
  readonly planned: DeployDriver;
  /** The parts, once (the ansible inventory is read at the first call). */
  open(signal: AbortSignal): Promise<RollParts>;
  close(): Promise<void>;
}

/**
 * The hosts over SSH (`hosts`), each with its driver; or, with the ansible driver, the
 * inventory's hosts as ansible reads them, a batch run as one `ansible-playbook --limit`.
 */
export function rollSetup(target: TargetSettings, strategy: RollingSettings, deps: VerifyDeps): RollSetup {
  const common = { retry: target.retry, logger: deps.logger, now: () => deps.clock.now() };
  const gateFor = (hosts: RollParts['fleet']['hosts']) =>
    hostGateFor(strategy, hosts, target.environment, deps);
  const { driver } = target;
  if (driver.kind === 'ansible') {
    const playbook = createAnsibleDriver(driver, deps.runner, deps.logger);
    const inventory = target.inventoryHosts!;
    let parts: Promise<RollParts> | undefined;
    const read = async (signal: AbortSignal): Promise<RollParts> => {
      const hosts = await readInventoryHosts(deps.runner, driver.inventory, signal);
      const unplaced = inventory.needsAddress ? hosts.find((host) => !host.address) : undefined;
      if (unplaced)
        throw new Error(
          `${unplaced.name} of the inventory ${driver.inventory} has no deploy_address var (host:port), which {host_url} and {host_address} in the probes need`,
        );
      const fleet = {
        hosts,
        driverFor: () => playbook,
        runnerFor: () => {
          throw new Error('ansible reaches the hosts itself');
        },
        planned: playbook,
        batchDriver: playbook,
        close: async () => {},
      };
      return {
        ...common,
        fleet,
        gate: gateFor(hosts),
        verifyHost: (host, version, signal) =>
          verifyDeployment(inventory.verifyFor(host), version, { ...deps, signal }),
      };
    };
    return {
      hostsText: `the hosts of ${driver.inventory}`,
      planned: playbook,
      open: (signal) => {
        parts ??= read(signal);
        return parts;
      },
      close: async () => {},
    };
  }
  const hosts = target.hosts!;
  const fleet = createFleet(driver, hosts, deps.runner, deps.logger);
  const parts: RollParts = {
    ...common,
    fleet,
    gate: gateFor(fleet.hosts),
    // version-command runs on the host it asks.
    verifyHost: (host, version, signal) =>
      verifyDeployment(hosts.verify[host.name]!, version, { ...deps, runner: fleet.runnerFor(host), signal }),
  };
  return {
    hostsText: fleet.hosts.map((host) => host.name).join(', '),
    planned: fleet.planned,
    open: async () => parts,
    close: () => fleet.close(),
  };
}
