import type { RollingSettings } from '../model/release.ts';
import type { Clock, CommandRunner } from '../ports.ts';
import { commandHostGate } from './command-host-gate.ts';
import { haproxyHostGate } from './haproxy-host-gate.ts';
import type { GatedHost, HostGate } from './host-gate.ts';
import { nginxHostGate } from './nginx-host-gate.ts';

/** The gate a rolling strategy's settings name, over the hosts. */
export function hostGateFor(
  strategy: RollingSettings,
  hosts: readonly GatedHost[],
  environment: string,
  deps: { readonly clock: Clock; readonly runner: CommandRunner },
): HostGate {
  const { gate } = strategy;
  if (gate.kind === 'command')
    return commandHostGate({
      command: gate.switchCommand,
      environment,
      hosts,
      runner: deps.runner,
      timeoutMs: 60_000 + strategy.drainTimeoutMs,
    });
  if (gate.kind === 'nginx')
    return nginxHostGate({
      ...gate,
      hosts,
      drainTimeoutMs: strategy.drainTimeoutMs,
      runner: deps.runner,
      clock: deps.clock,
    });
  return haproxyHostGate({
    socket: gate.socket,
    backend: gate.backend,
    hosts,
    drainTimeoutMs: strategy.drainTimeoutMs,
    clock: deps.clock,
  });
}
