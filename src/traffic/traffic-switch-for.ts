import type { StrategySettings } from '../model/release.ts';
import type { Clock, CommandRunner } from '../ports.ts';
import { haproxySwitch } from './haproxy-switch.ts';
import { nginxSwitch } from './nginx-switch.ts';
import type { TrafficSwitch } from './traffic-switch.ts';

/** The traffic switch a blue-green strategy's settings name. */
export function trafficSwitchFor(
  strategy: Extract<StrategySettings, { kind: 'blue-green' }>,
  deps: { readonly clock: Clock; readonly runner: CommandRunner },
): TrafficSwitch {
  const { traffic, slots } = strategy;
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
    slots: slots.map((slot) => slot.name),
    drainTimeoutMs: strategy.drainTimeoutMs,
    clock: deps.clock,
  });
}
