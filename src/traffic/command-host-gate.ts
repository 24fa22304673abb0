import { formatHostPort } from '../addresses.ts';
import { howItEnded } from '../deploy/driver.ts';
import type { CommandRunner } from '../ports.ts';
import type { GatedHost, HostGate, HostServing } from './host-gate.ts';

export interface CommandHostGateOptions {
  /**
   * The user's gate (a cloud load balancer's CLI, Caddy's admin API): run with DEPLOY_HOST (and
   * its address) and DEPLOY_HOST_STATE=drain to take the host out, waiting for its requests, or
   * ready to put it back; with DEPLOY_HOST_STATE empty it prints ready, drain or down.
   */
  readonly command: string;
  readonly environment: string;
  readonly hosts: readonly GatedHost[];
  readonly runner: CommandRunner;
  readonly timeoutMs: number;
}

const SAID: Readonly<Record<string, HostServing>> = { ready: 'serving', drain: 'out', down: 'down' };

/** Hosts behind anything a command can drain, read back by the same command. */
export function commandHostGate(options: CommandHostGateOptions): HostGate {
  const { command, runner, timeoutMs } = options;
  const run = (host: string, state: string, signal?: AbortSignal) => {
    const address = options.hosts.find((h) => h.name === host)?.address;
    return runner.run({
      command,
      env: {
        DEPLOY_ENVIRONMENT: options.environment,
        DEPLOY_HOST: host,
        DEPLOY_HOST_ADDRESS: address ? formatHostPort(address) : '',
        DEPLOY_HOST_STATE: state,
      },
      timeoutMs,
      ...(signal ? { signal } : {}),
    });
  };
  const set = async (hosts: readonly string[], state: 'drain' | 'ready', signal?: AbortSignal) => {
    for (const host of hosts) {
      const result = await run(host, state, signal);
      if (result.exitCode !== 0)
        throw new Error(
          `switch-command ${howItEnded(result, timeoutMs)} setting ${host} to ${state} (DEPLOY_HOST_STATE=${state})`,
        );
    }
  };
  return {
    name: 'switch-command',
    async states() {
      const states = new Map<string, HostServing>();
      for (const { name } of options.hosts) {
        const result = await run(name, '');
        const said = SAID[result.stdout.trim()];
        if (result.exitCode !== 0 || !said)
          throw new Error(
            `switch-command, asked about ${name} (DEPLOY_HOST_STATE empty), ${result.exitCode === 0 ? 'printed something else than ready, drain or down' : howItEnded(result, timeoutMs)}`,
          );
        states.set(name, said);
      }
      return states;
    },
    drain: (hosts, signal) => set(hosts, 'drain', signal),
    ready: (hosts) => set(hosts, 'ready'),
    readCommand: 'switch-command run with DEPLOY_HOST set and DEPLOY_HOST_STATE empty',
  };
}
