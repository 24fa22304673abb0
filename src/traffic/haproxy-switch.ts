import { haproxyAdmin, socatAddress } from '../clients/haproxy-runtime.ts';
import type { Slot } from '../model/release.ts';
import type { Clock } from '../ports.ts';
import { serversOfMembers } from './haproxy-members.ts';
import type { TrafficSwitch } from './traffic-switch.ts';

export interface HaproxySwitchOptions {
  /** The runtime API: a unix socket path or host:port (`stats socket … level admin`). */
  readonly socket: string;
  readonly backend: string;
  /** The slots, each a server of the backend named like the slot. */
  readonly slots: readonly Slot[];
  /** How long the old server may finish its sessions before it is put in maintenance. */
  readonly drainTimeoutMs: number;
  readonly clock: Clock;
}

/**
 * Admin-state bits of `show servers state` that take a server out of rotation: forced,
 * inherited, resolver and health maintenance, and drain. Not 0x04: a server `disabled` in the
 * config keeps that bit after `state ready`, and serves.
 */
export const OUT_OF_ROTATION = 0x01 | 0x02 | 0x08 | 0x10 | 0x20 | 0x40;

/**
 * Blue-green behind HAProxy: each slot is a server of one backend; the live one is `ready`,
 * the others are in maintenance. A switch readies the new server and drains the old one in one
 * runtime-API call (run in order, so no request finds no server), waits until the old server's
 * sessions end (or `drainTimeoutMs`), then puts it in maintenance.
 */
export function haproxySwitch(options: HaproxySwitchOptions): TrafficSwitch {
  const { socket, backend } = options;
  const admin = haproxyAdmin(socket);
  const { command } = admin;
  const names = options.slots.map((slot) => slot.name);
  return {
    name: `haproxy backend ${backend}`,
    async live() {
      const members = options.slots.map((slot) => ({ name: slot.name, address: slot }));
      const known = await serversOfMembers(admin, backend, members, 'slots');
      return names.filter((slot) => (known.get(slot)!.adminState & OUT_OF_ROTATION) === 0);
    },
    async switchTo(slot, from, signal) {
      const drain = from && from !== slot ? `; set server ${backend}/${from} state drain` : '';
      await command(`set server ${backend}/${slot} state ready${drain}`);
      if (!from || from === slot) return;
      const deadline = options.clock.now() + options.drainTimeoutMs;
      while (options.clock.now() < deadline && !signal.aborted) {
        if (((await admin.sessions(backend)).get(from) ?? 0) === 0) break;
        await options.clock.sleep(50, signal).catch(() => {});
      }
      await command(`set server ${backend}/${from} state maint`);
    },
    readCommand: `\`echo "show servers state ${backend}" | socat stdio ${socatAddress(socket)}\``,
    fixCommand: (slot, others) =>
      `echo "set server ${backend}/${slot} state ready${others.map((o) => `; set server ${backend}/${o} state maint`).join('')}" | socat stdio ${socatAddress(socket)}`,
  };
}
