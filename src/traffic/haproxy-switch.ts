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
  const members = options.slots.map((slot) => ({ name: slot.name, address: slot }));
  /** Each slot's weight if it is in rotation, else 0: what decides its share of new traffic. */
  const weights = async () => {
    const known = await serversOfMembers(admin, backend, members, 'slots');
    return names.map((slot) => {
      const server = known.get(slot)!;
      return [slot, (server.adminState & OUT_OF_ROTATION) === 0 ? server.weight : 0] as const;
    });
  };
  const server = (slot: string) => `${backend}/${slot}`;
  return {
    name: `haproxy backend ${backend}`,
    async live() {
      return (await weights()).filter(([, weight]) => weight > 0).map(([slot]) => slot);
    },
    async switchTo(slot, from, signal) {
      // The weights a canary set go back to the configured ones (100%): a switch leaves one
      // server serving as haproxy.cfg made it.
      const drain = from && from !== slot ? `; set server ${server(from)} state drain` : '';
      await command(`set weight ${server(slot)} 100%; set server ${server(slot)} state ready${drain}`);
      if (!from || from === slot) return;
      const deadline = options.clock.now() + options.drainTimeoutMs;
      while (options.clock.now() < deadline && !signal.aborted) {
        if (((await admin.sessions(backend)).get(from) ?? 0) === 0) break;
        await options.clock.sleep(50, signal).catch(() => {});
      }
      await command(`set server ${server(from)} state maint; set weight ${server(from)} 100%`);
    },
    async split(canary, stable, percent) {
      // Weights out of 100 (HAProxy takes 0 to 256), the side that gains first, so that no
      // request ever finds no server with weight.
      const toStable = `set weight ${server(stable)} ${100 - percent}; set server ${server(stable)} state ready`;
      const toCanary = `set weight ${server(canary)} ${percent}; set server ${server(canary)} state ready`;
      await command(percent > 0 ? `${toCanary}; ${toStable}` : `${toStable}; ${toCanary}`);
    },
    async shares() {
      const read = await weights();
      const total = read.reduce((sum, [, weight]) => sum + weight, 0);
      return Object.fromEntries(
        read.map(([slot, weight]) => [slot, total === 0 ? 0 : Math.round((100 * weight) / total)]),
      );
    },
    readCommand: `\`echo "show servers state ${backend}" | socat stdio ${socatAddress(socket)}\``,
    fixCommand: (slot, others) =>
      `echo "set server ${backend}/${slot} state ready${others.map((o) => `; set server ${backend}/${o} state maint`).join('')}" | socat stdio ${socatAddress(socket)}`,
  };
}
