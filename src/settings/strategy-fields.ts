import * as z from 'zod/mini';
import { parseHostPort } from '../addresses.ts';
import { ConfigurationError } from '../errors.ts';
import type { HostCount, Slot, SlotStop, TrafficSettings } from '../model/release.ts';
import { durationField } from '../schema/fields.ts';
import { parseWithSchema } from './input-spec.ts';
import { readStructuredText } from './structured-text.ts';

/** The fields strategies share: slots, the traffic switch, a count of hosts, the old slot's stop. */

const SLOT_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

/** stop-command, else the driver's own way to stop a slot (docker rm), after scale-down-delay. */
export function scaleDown(
  values: Record<string, string>,
  driverStop?: SlotStop,
): {
  scaleDown?: { stop: SlotStop; delayMs: number };
} {
  const command = values['stop-command'] ?? '';
  const stop = command ? { command } : driverStop;
  const delay = (values['scale-down-delay'] || '30s').trim();
  if (!stop || delay === 'never') return {};
  const { ms } = parseWithSchema(z.object({ ms: durationField }), { ms: delay }, 'scale-down-delay');
  return { scaleDown: { stop, delayMs: ms } };
}

export function parseTraffic(
  kind: 'haproxy' | 'nginx' | 'command',
  values: Record<string, string>,
): TrafficSettings {
  if (kind === 'nginx') return parseNginx(values);
  if (kind === 'haproxy') return parseHaproxy(values);
  const switchCommand = values['switch-command'] ?? '';
  if (!switchCommand) throw new ConfigurationError('switch-command', 'is required with traffic: command');
  return { kind: 'command', switchCommand };
}

function parseHaproxy(values: Record<string, string>): TrafficSettings {
  const socket = values['haproxy-socket'] ?? '';
  const backend = values['haproxy-backend'] ?? '';
  if (!socket)
    throw new ConfigurationError('haproxy-socket', 'is required with traffic: haproxy (its runtime API)');
  if (!/^[A-Za-z0-9_.:-]+$/.test(backend))
    throw new ConfigurationError(
      'haproxy-backend',
      `${backend ? `"${backend}" is not` : 'is required as'} a backend name (letters, digits, _ . : -)`,
    );
  return { kind: 'haproxy', socket, backend };
}

function parseNginx(values: Record<string, string>): TrafficSettings {
  const need = (input: string) => {
    if (!values[input]) throw new ConfigurationError(input, 'is required with traffic: nginx');
    return values[input]!;
  };
  return {
    kind: 'nginx',
    upstreamFile: need('nginx-upstream-file'),
    testCommand: need('nginx-test-command'),
    reloadCommand: need('nginx-reload-command'),
    pidFile: need('nginx-pid-file'),
  };
}

export function parseSlots(text: string): readonly [Slot, Slot] {
  const example = 'e.g. {blue: 127.0.0.1:8081, green: 127.0.0.1:8082}';
  if (!text.trim())
    throw new ConfigurationError('slots', `is required with strategy: blue-green (${example})`);
  const map = readStructuredText(text, 'slots');
  if (!map || typeof map !== 'object' || Array.isArray(map) || Object.keys(map).length !== 2)
    throw new ConfigurationError(
      'slots',
      `expected a map of exactly two slots to their address (${example})`,
    );
  const slots = Object.entries(map).map(([name, address]) => {
    if (!SLOT_NAME.test(name))
      throw new ConfigurationError(
        'slots',
        `"${name}" is not a slot name (a letter, then letters, digits, _ -)`,
      );
    const parsed = parseHostPort(String(address));
    if (!parsed)
      throw new ConfigurationError(
        'slots',
        `${name}: "${String(address)}" is not host:port (${example}; an IPv6 host in brackets, [::1]:8081)`,
      );
    return { name, ...parsed };
  });
  return [slots[0]!, slots[1]!];
}

/** `3` hosts or `25%` of them, at least `least`. */
export function parseHostCount(text: string, input: 'batch-size' | 'min-healthy', least: number): HostCount {
  const match = /^(\d{1,6})(%?)$/.exec(text.trim());
  const value = Number(match?.[1]);
  if (!match || value < least || (match[2] && value > 100))
    throw new ConfigurationError(
      input,
      `"${text}" is not a count of hosts (${least} or more) or a percentage of them (${least === 0 ? '0' : '1'}% to 100%)`,
    );
  return match[2] ? { percent: value } : { count: value };
}
