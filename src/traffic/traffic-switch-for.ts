import type { StrategySettings } from '../model/release.ts';
import type { Clock } from '../ports.ts';
import { haproxySwitch } from './haproxy-switch.ts';
import type { TrafficSwitch } from './traffic-switch.ts';

/** The traffic switch a blue-green strategy's settings name. */
export function trafficSwitchFor(
  strategy: Extract<StrategySettings, { kind: 'blue-green' }>,
  clock: Clock,
): TrafficSwitch {
  return haproxySwitch({
    socket: strategy.traffic.socket,
    backend: strategy.traffic.backend,
    slots: strategy.slots.map((slot) => slot.name),
    drainTimeoutMs: strategy.drainTimeoutMs,
    clock,
  });
}
