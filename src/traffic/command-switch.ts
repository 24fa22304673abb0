import { deployEnv, howItEnded } from '../deploy/driver.ts';
import type { Slot } from '../model/release.ts';
import type { CommandRunner } from '../ports.ts';
import type { TrafficSwitch } from './traffic-switch.ts';

export interface CommandSwitchOptions {
  /**
   * The user's switch (Caddy's admin API, Traefik, a cloud load balancer's CLI). Run with
   * DEPLOY_SLOT (and its address and port) to send traffic there; run with DEPLOY_SLOT empty to
   * print the name of the slot receiving traffic now (the read-back).
   */
  readonly command: string;
  readonly environment: string;
  readonly slots: readonly Slot[];
  readonly runner: CommandRunner;
  readonly timeoutMs: number;
}

/** Blue-green behind anything a command can switch, read back by the same command. */
export function commandSwitch(options: CommandSwitchOptions): TrafficSwitch {
  const { command, runner } = options;
  const names = options.slots.map((slot) => slot.name);
  return {
    name: 'switch-command',
    async live() {
      const result = await runner.run({
        command,
        env: { DEPLOY_SLOT: '', DEPLOY_PREVIOUS_SLOT: '', DEPLOY_ENVIRONMENT: options.environment },
        timeoutMs: options.timeoutMs,
      });
      if (result.exitCode !== 0)
        throw new Error(
          `switch-command, asked which slot serves (DEPLOY_SLOT empty), ${howItEnded(result, options.timeoutMs)}`,
        );
      const said = result.stdout.trim().split(/\s+/).filter(Boolean);
      // Its words are output, never quoted into a message that may be recorded.
      if (said.some((name) => !names.includes(name)))
        throw new Error(
          `switch-command, asked which slot serves (DEPLOY_SLOT empty), printed something that is not a slot name (${names.join(' or ')})`,
        );
      return said;
    },
    async switchTo(name, from, signal) {
      const slot = options.slots.find((s) => s.name === name)!;
      const result = await runner.run({
        command,
        env: {
          ...deployEnv({ version: '', environment: options.environment, slot }),
          DEPLOY_PREVIOUS_SLOT: from ?? '',
        },
        timeoutMs: options.timeoutMs,
        signal,
      });
      if (result.exitCode !== 0)
        throw new Error(
          `switch-command ${howItEnded(result, options.timeoutMs)} switching to ${name}: traffic may still go to ${from ?? 'the old slot'}`,
        );
    },
    readCommand: command.includes('\n')
      ? 'switch-command run with DEPLOY_SLOT empty'
      : `\`DEPLOY_SLOT= ${command}\``,
    fixCommand: (name) => `DEPLOY_SLOT=${name} ${command}`,
  };
}
