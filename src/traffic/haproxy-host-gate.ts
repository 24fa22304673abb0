import { haproxyAdmin, socatAddress } from '../clients/haproxy-runtime.ts';
import type { Clock } from '../ports.ts';
import { serversOfMembers } from './haproxy-members.ts';
import { OUT_OF_ROTATION } from './haproxy-switch.ts';
import type { GatedHost, HostGate, HostServing } from './host-gate.ts';

export interface HaproxyHostGateOptions {
  readonly socket: string;
  readonly backend: string;
  /** Each a server of the backend named like the host. */
  readonly hosts: readonly GatedHost[];
  readonly drainTimeoutMs: number;
  readonly clock: Clock;
}

/**
 * Hosts behind HAProxy, each a server of one backend named like the host. Out: `state drain` (no
 * new request), its sessions waited for up to the drain timeout, then `state maint`; back: `state
 * ready`. A server whose health check fails is `down`: it serves nothing, whatever its admin state.
 */
export function haproxyHostGate(options: HaproxyHostGateOptions): HostGate {
  const { backend } = options;
  const admin = haproxyAdmin(options.socket);
  const all = (hosts: readonly string[], state: string) =>
    admin.command(hosts.map((host) => `set server ${backend}/${host} state ${state}`).join('; '));
  return {
    name: `haproxy backend ${backend}`,
    async states() {
      const servers = await serversOfMembers(admin, backend, options.hosts, 'hosts');
      const states = new Map<string, HostServing>();
      for (const host of options.hosts) {
        const server = servers.get(host.name)!;
        const out = (server.adminState & OUT_OF_ROTATION) !== 0;
        states.set(host.name, out ? 'out' : server.opState === 2 ? 'serving' : 'down');
      }
      return states;
    },
    async drain(hosts, signal) {
      await all(hosts, 'drain');
      const deadline = options.clock.now() + options.drainTimeoutMs;
      while (options.clock.now() < deadline && !signal.aborted) {
        const sessions = await admin.sessions(backend);
        if (hosts.every((host) => (sessions.get(host) ?? 0) === 0)) break;
        await options.clock.sleep(50, signal).catch(() => {});
      }
      await all(hosts, 'maint');
    },
    async ready(hosts) {
      await all(hosts, 'ready');
    },
    readCommand: `\`echo "show servers state ${backend}" | socat stdio ${socatAddress(options.socket)}\``,
  };
}
