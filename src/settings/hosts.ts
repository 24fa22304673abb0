import { parseHostPort } from '../addresses.ts';
import { ConfigurationError } from '../errors.ts';
import { isHostName } from '../model/host-name.ts';
import type { HostsSettings } from '../model/release.ts';
import { parseSshEndpoint, type SshEndpoint } from '../model/ssh-endpoint.ts';
import type { InputSpecs } from './input-spec.ts';
import { readStructuredText } from './structured-text.ts';

/** The inputs that put a release on remote hosts over SSH (deploy, rollback, promote, the root action). */
export const hostsInputs = {
  hosts: {
    description:
      'Deploy on these hosts over SSH, one after the other (batch by batch with strategy: rolling; with blue-green, the one host both slots run on, or a host per slot named like it): a YAML list of { name, ssh: user@host[:port], address: host:port }, or one user@host. The releases driver works on each host; the command driver runs on the runner with DEPLOY_HOST, DEPLOY_HOST_ADDRESS and DEPLOY_SSH set, or on the host with run-on: host.',
    default: '',
  },
  'known-hosts': {
    description:
      'hosts: the known_hosts lines of every host and jump host (ssh-keyscan output checked against the hosts). Required: a host key is never trusted on first use.',
    default: '',
  },
  'ssh-private-key': {
    description:
      "hosts: the deploy user's private key (pass a secret); written 0600 under the runner's temp dir for the release and removed after it. Empty: the ssh agent already running.",
    default: '',
  },
  'ssh-key-passphrase': {
    description:
      "hosts: the deploy key's passphrase (pass a secret), if it has one: the key is unlocked into an ssh-agent of the release's own (through SSH_ASKPASS, never written unlocked), stopped with the release.",
    default: '',
  },
  'ssh-jump': {
    description:
      'hosts: a ProxyJump chain, user@host[:port] hops separated by commas, the first reached directly.',
    default: '',
  },
  'run-on': {
    description:
      'hosts with the command driver: runner (the command runs here, once per host) or host (it runs on each host).',
    default: 'runner',
  },
} as const satisfies InputSpecs;

const DEPENDENT = ['known-hosts', 'ssh-private-key', 'ssh-key-passphrase', 'ssh-jump'] as const;

/**
 * The hosts a release runs on, or undefined when it runs on the runner. Every input that only
 * makes sense with hosts is refused without them, naming it.
 */
export function parseHosts(
  values: Record<string, string>,
  context: { readonly driver: string; readonly strategy: string },
): Omit<HostsSettings, 'verify'> | undefined {
  const text = (values.hosts ?? '').trim();
  const runOn = values['run-on'] || 'runner';
  if (runOn !== 'runner' && runOn !== 'host')
    throw new ConfigurationError('run-on', `"${runOn}" is not runner or host`);
  // Rolling with ansible: the inventory names the hosts.
  if (!text && context.strategy === 'rolling' && context.driver !== 'ansible')
    throw new ConfigurationError(
      'hosts',
      'is required with strategy: rolling (the hosts behind the load balancer, e.g. - { name: web1, ssh: deploy@10.0.0.11, address: 10.0.0.11:8080 })',
    );
  if (!text) {
    const stray = DEPENDENT.find((input) => values[input]);
    if (stray) throw new ConfigurationError(stray, 'is only used with hosts: give hosts, or remove it');
    if (runOn === 'host')
      throw new ConfigurationError('run-on', 'host needs hosts: give hosts, or remove it');
    return undefined;
  }
  if (context.driver === 'ansible')
    throw new ConfigurationError(
      'hosts',
      'is not used with driver: ansible (its inventory names the hosts): remove it',
    );
  if (context.driver === 'docker' || context.driver === 'compose')
    throw new ConfigurationError(
      'hosts',
      `is not used with driver: ${context.driver}: it reaches a remote Docker daemon through docker-host (ssh://user@host); remove hosts`,
    );

  if (runOn === 'host' && context.driver !== 'command')
    throw new ConfigurationError(
      'run-on',
      'is only used with driver: command (the releases driver always works on the host)',
    );
  const knownHosts = (values['known-hosts'] ?? '').trim();
  if (!knownHosts)
    throw new ConfigurationError(
      'known-hosts',
      'is required with hosts: the host keys to trust (a host key is never trusted on first use)',
    );
  const hosts = readHostList(text);
  return {
    hosts,
    jump: (values['ssh-jump'] ?? '')
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean)
      .map((hop) => endpoint(hop, 'ssh-jump')),
    knownHosts,
    ...(values['ssh-private-key']?.trim() ? { privateKey: `${values['ssh-private-key'].trim()}\n` } : {}),
    ...passphrase(values),
    runOn,
  };
}

function readHostList(text: string): HostsSettings['hosts'] {
  const declared =
    text.includes('\n') || text.startsWith('-') || text.startsWith('[')
      ? readStructuredText(text, 'hosts')
      : text;
  const list = Array.isArray(declared) ? declared : [declared];
  const hosts = list.map((entry, at) => {
    const item = typeof entry === 'string' ? { ssh: entry } : (entry as Record<string, unknown> | null);
    if (!item || typeof item !== 'object' || typeof item.ssh !== 'string')
      throw new ConfigurationError(
        'hosts',
        `host ${at + 1}: expected { name, ssh: user@host[:port], address: host:port } or user@host`,
      );
    const ssh = endpoint(item.ssh, 'hosts');
    const name = typeof item.name === 'string' ? item.name : ssh.host;
    if (!isHostName(name))
      throw new ConfigurationError(
        'hosts',
        `host ${at + 1}: "${name}" is not a host name (letters, digits, _ . -)`,
      );
    const address = item.address === undefined ? undefined : parseHostPort(String(item.address));
    if (item.address !== undefined && !address)
      throw new ConfigurationError('hosts', `${name}: address "${String(item.address)}" is not host:port`);
    return { name, endpoint: ssh, ...(address ? { address } : {}) };
  });
  const seen = new Set<string>();
  for (const { name } of hosts) {
    if (seen.has(name)) throw new ConfigurationError('hosts', `"${name}" is named twice`);
    seen.add(name);
  }
  if (hosts.length === 0) throw new ConfigurationError('hosts', 'is an empty list');
  return hosts;
}

function endpoint(text: string, input: string): SshEndpoint {
  const parsed = parseSshEndpoint(text.trim());
  if ('problem' in parsed) throw new ConfigurationError(input, parsed.problem);
  return parsed;
}

/** The key's passphrase: only with the key it unlocks (an agent already running holds its keys unlocked). */
function passphrase(values: Record<string, string>): { keyPassphrase?: string } {
  const given = values['ssh-key-passphrase'] ?? '';
  if (!given) return {};
  if (!values['ssh-private-key']?.trim())
    throw new ConfigurationError(
      'ssh-key-passphrase',
      'unlocks ssh-private-key, which is not given (an agent already running holds its keys unlocked): give ssh-private-key, or remove it',
    );
  return { keyPassphrase: given };
}
