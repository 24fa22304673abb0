import type { DriverSettings } from '../model/release.ts';
import type { CommandRunner, Logger } from '../ports.ts';
import { LocalTarget } from '../target/local-target.ts';
import type { DeployDriver } from './driver.ts';
import { createAnsibleDriver } from './drivers/ansible-driver.ts';
import { createCommandDriver } from './drivers/command-driver.ts';
import { createReleasesDriver } from './drivers/releases-driver.ts';

export function createDriver(settings: DriverSettings, runner: CommandRunner, logger: Logger): DeployDriver {
  switch (settings.kind) {
    case 'command':
      return createCommandDriver(settings.command, runner, logger);
    case 'ansible':
      return createAnsibleDriver(settings, runner, logger);
    case 'releases':
      return createReleasesDriver(settings, new LocalTarget(runner), logger);
  }
}
