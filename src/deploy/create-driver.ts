import type { CommandRunner, Logger } from '../ports.ts';
import type { DriverSettings } from '../settings/deploy.ts';
import type { DeployDriver } from './driver.ts';
import { createCommandDriver } from './drivers/command-driver.ts';
import { createReleasesDriver } from './drivers/releases-driver.ts';

export function createDriver(settings: DriverSettings, runner: CommandRunner, logger: Logger): DeployDriver {
  switch (settings.kind) {
    case 'command':
      return createCommandDriver(settings.command, runner, logger);
    case 'releases':
      return createReleasesDriver(settings, runner, logger);
    default:
      throw new Error(`the ${settings.kind} driver is not available yet`);
  }
}
