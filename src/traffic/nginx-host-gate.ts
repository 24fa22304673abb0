import { formatHostPort } from '../addresses.ts';
import { ConfigurationError } from '../errors.ts';
import { HOST_NAME_PATTERN } from '../model/host-name.ts';
import type { GatedHost, HostGate, HostServing } from './host-gate.ts';
import { type NginxUpstreamOptions, nginxUpstream } from './nginx-upstream.ts';

export interface NginxHostGateOptions extends NginxUpstreamOptions {
  readonly hosts: readonly GatedHost[];
}

/** A host's line: its address, nginx's other parameters kept as written, and whether it is down. */
interface HostLine {
  readonly address: string;
  readonly params: string;
  readonly down: boolean;
}

const LINE = new RegExp(
  `^server\\s+(\\S+?)((?:\\s+[^\\s;#]+)*)\\s*;\\s*#\\s*deploy-actions host (${HOST_NAME_PATTERN})\\s*$`,
);

/**
 * Hosts behind nginx: the upstream include file holds one server line per host, marked with its
 * name; out of rotation is nginx's `down` parameter on it. Each change is written, tested and
 * gracefully reloaded (nginxUpstream): old workers finish their requests, so "drained" means
 * nginx sends the host nothing new and what it served has ended (or drain-timeout passed).
 */
export function nginxHostGate(options: NginxHostGateOptions): HostGate {
  const upstream = nginxUpstream(options);
  const { upstreamFile } = options;
  const lines = (): Map<string, HostLine> => {
    const read = readHostLines(upstream.read(), options.hosts);
    if ('problem' in read)
      throw new ConfigurationError(
        'nginx-upstream-file',
        `${upstreamFile} ${read.problem}; nothing was changed. It holds a line per host, e.g. ${hostLine(options.hosts[0]!.name, { address: options.hosts[0]!.address ? formatHostPort(options.hosts[0]!.address) : '10.0.0.11:8080', params: '', down: false }).trim()}`,
      );
    return read.lines;
  };
  const set = async (hosts: readonly string[], down: boolean, signal: AbortSignal) => {
    const now = lines();
    const text = options.hosts
      .map((host) => {
        const line = now.get(host.name)!;
        return hostLine(host.name, hosts.includes(host.name) ? { ...line, down } : line);
      })
      .join('');
    await upstream.apply(text, signal, `what the old file said for ${hosts.join(', ')}`);
  };
  return {
    name: `nginx upstream ${upstreamFile}`,
    async states() {
      const now = lines();
      return new Map(
        options.hosts.map((host): [string, HostServing] => [
          host.name,
          now.get(host.name)!.down ? 'out' : 'serving',
        ]),
      );
    },
    drain: (hosts, signal) => set(hosts, true, signal),
    ready: (hosts) => set(hosts, false, new AbortController().signal),
    readCommand: `\`cat ${upstreamFile}\` (and whether nginx was reloaded since it changed)`,
  };
}

function hostLine(name: string, line: HostLine): string {
  return `server ${line.address}${line.params}${line.down ? ' down' : ''};  # deploy-actions host ${name}\n`;
}

/** Each host's line, read strictly: comments, blanks and marked server lines only, one per host, at its address. */
function readHostLines(
  text: string,
  hosts: readonly GatedHost[],
): { lines: Map<string, HostLine> } | { problem: string } {
  const lines = new Map<string, HostLine>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    const host = hosts.find((h) => h.name === match?.[3]);
    if (!match || !host)
      return {
        problem: `line ${index + 1} is not a server line marked "# deploy-actions host <name>" with a name of hosts`,
      };
    if (lines.has(host.name)) return { problem: `names ${host.name} twice (line ${index + 1})` };
    if (host.address && match[1] !== formatHostPort(host.address))
      return {
        problem: `points ${host.name} at ${match[1]} (line ${index + 1}), while hosts says it is at ${formatHostPort(host.address)}`,
      };
    const params = (match[2] ?? '').split(/\s+/).filter(Boolean);
    lines.set(host.name, {
      address: match[1]!,
      params: params
        .filter((p) => p !== 'down')
        .map((p) => ` ${p}`)
        .join(''),
      down: params.includes('down'),
    });
  }
  const missing = hosts.filter((host) => !lines.has(host.name)).map((host) => host.name);
  if (missing.length > 0) return { problem: `has no line for ${missing.join(', ')}` };
  return { lines };
}
