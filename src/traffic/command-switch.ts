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
  /** What the command prints, asked with DEPLOY_SLOT empty: `blue`, or a split `blue=90 green=10`. */
  const read = async () => {
    const result = await runner.run({
      command,
      env: {
        DEPLOY_SLOT: '',
        DEPLOY_PREVIOUS_SLOT: '',
        DEPLOY_WEIGHT: '',
        DEPLOY_ENVIRONMENT: options.environment,
      },
      timeoutMs: options.timeoutMs,
    });
    if (result.exitCode !== 0)
      throw new Error(
        `switch-command, asked which slot serves (DEPLOY_SLOT empty), ${howItEnded(result, options.timeoutMs)}`,
      );
    const shares = readShares(result.stdout, names);
    // Its words are output, never quoted into a message that may be recorded.
    if (!shares)
      throw new Error(
        `switch-command, asked which slot serves (DEPLOY_SLOT empty), printed something that is not a slot name (${names.join(' or ')}) nor a split (${names.map((n, at) => `${n}=${at === 0 ? 90 : 10}`).join(' ')})`,
      );
    return shares;
  };
  const run = async (name: string, from: string | undefined, weight: string, signal: AbortSignal) => {
    const slot = options.slots.find((s) => s.name === name)!;
    const result = await runner.run({
      command,
      env: {
        ...deployEnv({ version: '', environment: options.environment, slot }),
        DEPLOY_PREVIOUS_SLOT: from ?? '',
        DEPLOY_WEIGHT: weight,
      },
      timeoutMs: options.timeoutMs,
      signal,
    });
    return result.exitCode === 0 ? undefined : howItEnded(result, options.timeoutMs);
  };
  return {
    name: 'switch-command',
    live: async () =>
      Object.entries(await read())
        .filter(([, share]) => share > 0)
        .map(([slot]) => slot),
    async shares() {
      return await read();
    },
    async split(canary, stable, percent, signal) {
      const failed = await run(canary, stable, String(percent), signal);
      if (failed)
        throw new Error(
          `switch-command ${failed} setting ${canary}'s weight to ${percent} % (DEPLOY_WEIGHT): the split is unknown, read it back with DEPLOY_SLOT empty`,
        );
    },
    async switchTo(name, from, signal) {
      const failed = await run(name, from, '', signal);
      if (failed)
        throw new Error(
          `switch-command ${failed} switching to ${name}: traffic may still go to ${from ?? 'the old slot'}`,
        );
    },
    readCommand: command.includes('\n')
      ? 'switch-command run with DEPLOY_SLOT empty'
      : `\`DEPLOY_SLOT= ${command}\``,
    fixCommand: (name) => `DEPLOY_SLOT=${name} ${command}`,
  };
}

/**
 * The read-back's words: slot names (all of the traffic among them) or `slot=percent` pairs;
 * undefined when a word is neither. Shares are of new traffic, in percent.
 */
export function readShares(text: string, names: readonly string[]): Record<string, number> | undefined {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const shares: Record<string, number> = {};
  for (const word of words) {
    const match = /^([A-Za-z][A-Za-z0-9_-]*)(?:=(\d{1,3}))?$/.exec(word);
    if (!match || !names.includes(match[1]!) || Number(match[2] ?? 0) > 100) return undefined;
    shares[match[1]!] = match[2] === undefined ? Math.round(100 / words.length) : Number(match[2]);
  }
  return shares;
}
