import type { StrategySettings } from '../model/release.ts';
import type { Clock, CommandRunner } from '../ports.ts';
import { commandSwitch } from './command-switch.ts';
import { haproxySwitch } from './haproxy-switch.ts';
import { nginxSwitch } from './nginx-switch.ts';
import type { TrafficSwitch } from './traffic-switch.ts';

/** The traffic switch a blue-green strategy's settings name. */
export function trafficSwitchFor(
  strategy: Extract<StrategySettings, { kind: 'blue-green' }>,
  environment: string,
  deps: { readonly clock: Clock; readonly runner: CommandRunner },
): TrafficSwitch {
  const { traffic, slots } = strategy;
  if (traffic.kind === 'command')
    return commandSwitch({
      command: traffic.switchCommand,
      environment,
      slots,
      runner: deps.runner,
      timeoutMs: 60_000,
    });
  if (traffic.kind === 'nginx')
    return nginxSwitch({
      ...traffic,
      slots,
      drainTimeoutMs: strategy.drainTimeoutMs,
      runner: deps.runner,
      clock: deps.clock,
    });
  return haproxySwitch({
    socket: traffic.socket,
    backend: traffic.backend,
    slots,
    drainTimeoutMs: strategy.drainTimeoutMs,
    clock: deps.clock,
  });
}
