import type { DriverSettings, HostsSettings } from '../model/release.ts';
import type { CommandRunner, Logger } from '../ports.ts';
import { LocalTarget } from '../target/local-target.ts';
import type { DeployDriver } from './driver.ts';
import { createAnsibleDriver } from './drivers/ansible-driver.ts';
import { createCommandDriver } from './drivers/command-driver.ts';
import { createComposeDriver } from './drivers/compose-driver.ts';
import { createDockerDriver } from './drivers/docker-driver.ts';
import { createHostsDriver, type VerifyHost } from './drivers/hosts-driver.ts';
import { createReleasesDriver } from './drivers/releases-driver.ts';
import { type Fleet, openFleet } from './fleet.ts';

/** The driver the settings ask for: on the runner, or on each of `hosts` over SSH, one after the other. */
export function createDriver(
  settings: DriverSettings,
  runner: CommandRunner,
  logger: Logger,
  hosts?: HostsSettings,
  verifyHost?: VerifyHost,
): DeployDriver {
  if (!hosts) return onRunner(settings, runner, logger);
  return createHostsDriver(createFleet(settings, hosts, runner, logger), hosts.verify, logger, verifyHost);
}

/** The hosts over SSH, each with the driver the settings ask for working on it. */
export function createFleet(
  settings: DriverSettings,
  hosts: HostsSettings,
  runner: CommandRunner,
  logger: Logger,
): Fleet {
  return openFleet(hosts, runner, (target, host) => {
    if (settings.kind === 'releases') return createReleasesDriver(settings, target, logger);
    if (settings.kind === 'command')
      return createCommandDriver(settings.command, hosts.runOn === 'host' ? target.runner : runner, logger);
    throw new Error(`driver ${settings.kind} does not run on hosts (${host.name})`);
  });
}

function onRunner(settings: DriverSettings, runner: CommandRunner, logger: Logger): DeployDriver {
  switch (settings.kind) {
    case 'command':
      return createCommandDriver(settings.command, runner, logger);
    case 'ansible':
      return createAnsibleDriver(settings, runner, logger);
    case 'releases':
      return createReleasesDriver(settings, new LocalTarget(runner), logger);
    case 'docker':
      return createDockerDriver(settings, runner, logger);
    case 'compose':
      return createComposeDriver(settings, runner, logger);
  }
}
