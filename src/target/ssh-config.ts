import { formatSshEndpoint, type SshEndpoint } from '../model/ssh-endpoint.ts';

/** What the generated OpenSSH client config says: the hosts by alias, and how to reach them. */
export interface SshConfigRequest {
  /** Each target host under an alias of ours (no value of the user's is a Host pattern). */
  readonly hosts: readonly { readonly alias: string; readonly endpoint: SshEndpoint }[];
  /** A ProxyJump chain, in order: the first hop is reached directly. */
  readonly jump: readonly SshEndpoint[];
  readonly knownHostsFile: string;
  /** The deploy key, written 0600 (its public half, when the session's own agent holds it); absent: an agent already running. */
  readonly identityFile?: string;
  /** The session's own agent, holding the deploy key unlocked (a key with a passphrase). */
  readonly identityAgent?: string;
  /** Where the multiplexed connections' sockets live (one connection per host for a release). */
  readonly controlDir: string;
  readonly connectTimeoutSeconds: number;
}

/** A path in the config: quoted, so a temp dir with spaces stays one word. */
const quoted = (file: string) => `"${file}"`;

/**
 * The ssh_config every remote call uses (`ssh -F`): never asks (BatchMode), trusts only the
 * host keys given (StrictHostKeyChecking yes, known-hosts alone, no global file, no updates:
 * never trust on first use), one multiplexed connection per host, bounded connects, dead
 * connections noticed. Pure: the values in it were validated as names and addresses.
 */
export function renderSshConfig(request: SshConfigRequest): string {
  const perHost = request.hosts.flatMap(({ alias, endpoint }) => [
    `Host ${alias}`,
    `  HostName ${endpoint.host}`,
    `  Port ${endpoint.port}`,
    `  User ${endpoint.user}`,
    ...(request.jump.length > 0 ? [`  ProxyJump ${request.jump.map(formatSshEndpoint).join(',')}`] : []),
  ]);
  return [
    ...perHost,
    'Host *',
    '  BatchMode yes',
    '  StrictHostKeyChecking yes',
    `  UserKnownHostsFile ${quoted(request.knownHostsFile)}`,
    '  GlobalKnownHostsFile /dev/null',
    '  UpdateHostKeys no',
    '  CheckHostIP no',
    ...(request.identityFile
      ? ['  IdentitiesOnly yes', `  IdentityFile ${quoted(request.identityFile)}`]
      : []),
    ...(request.identityAgent ? [`  IdentityAgent ${quoted(request.identityAgent)}`] : []),
    // The session starts each host's master itself (ssh -M) and ends it: calls only join it.
    '  ControlMaster no',
    // The alias (h1, h2 …), not %C's 40 hex digits: a socket path must fit in 108 bytes.
    `  ControlPath ${quoted(`${request.controlDir}/%n`)}`,
    `  ConnectTimeout ${request.connectTimeoutSeconds}`,
    '  ServerAliveInterval 15',
    '  ServerAliveCountMax 3',
    '  LogLevel ERROR',
    '',
  ].join('\n');
}
