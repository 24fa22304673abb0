import { isIP } from 'node:net';
import { formatHostPort, type HostPort } from '../addresses.ts';
import type { haproxyAdmin, ServerState } from '../clients/haproxy-runtime.ts';
import { ConfigurationError } from '../errors.ts';

/** What stands behind a backend: a slot or a host, named like its server, where the inputs say it is. */
export interface BackendMember {
  readonly name: string;
  readonly address?: HostPort;
}

/**
 * The backend's servers, read from HAProxy and checked against the inputs before anything
 * changes: a server named after each member, pointing where `input` (slots, hosts) says it is
 * (a member verified on one address must be the one users get).
 */
export async function serversOfMembers(
  admin: ReturnType<typeof haproxyAdmin>,
  backend: string,
  members: readonly BackendMember[],
  input: 'slots' | 'hosts',
): Promise<ReadonlyMap<string, ServerState>> {
  const servers = await admin.servers(backend);
  const missing = members.filter((member) => !servers.has(member.name)).map((member) => member.name);
  if (missing.length > 0)
    throw new Error(
      `HAProxy's backend ${backend} (haproxy-backend) has no server named ${missing.join(', ')} (it has ${[...servers.keys()].join(', ') || 'none'}): name a server after each of the ${input}; nothing was changed`,
    );
  for (const { name, address } of members) {
    const server = servers.get(name)!;
    if (address && isIP(address.host) && (server.address !== address.host || server.port !== address.port))
      throw new ConfigurationError(
        input,
        `HAProxy's server ${backend}/${name} points at ${server.address}:${server.port}, but ${input} says ${name} is ${formatHostPort(address)}; nothing was changed. Make them agree (the server line in haproxy.cfg, or ${input})`,
      );
  }
  return servers;
}
