import type { SshEndpoint } from '../model/ssh-endpoint.ts';

/**
 * The hop of a jump chain that ssh's error is about, when it names one (its host key, or its
 * address refusing): ssh says `[host]:port` for a host key, `host port N` for a connection.
 */
export function hopNamed(
  stderr: string,
  jump: readonly SshEndpoint[],
  target: SshEndpoint,
): SshEndpoint | undefined {
  const keyFor = /(?:host key is known for|Host key for) (\S+)/.exec(stderr)?.[1];
  const connect = /connect to host (\S+) port (\d+)/.exec(stderr);
  const named = keyFor
    ? (/^\[(.+)\]:(\d+)$/.exec(keyFor)?.slice(1) ?? [keyFor, '22'])
    : connect
      ? [connect[1]!, connect[2]!]
      : undefined;
  if (!named) return undefined;
  const is = (endpoint: SshEndpoint) =>
    endpoint.host === named[0] && String(endpoint.port ?? 22) === named[1];
  return is(target) ? undefined : jump.find(is);
}

/** What ssh's own error says, for a person: the host key, the login, or the network. */
export function explainSshFailure(stderr: string): string {
  const changed = /REMOTE HOST IDENTIFICATION HAS CHANGED[\s\S]*?(SHA256:[A-Za-z0-9+/=]+)/.exec(stderr);
  if (changed)
    return `its host key changed: it showed ${changed[1]}, which known-hosts does not give. Check it with the host's owner before putting it in known-hosts`;
  if (/No \S+ host key is known for|Host key verification failed/.test(stderr))
    return 'its host key is not in known-hosts (it is never trusted on first use): add its line, from ssh-keyscan checked against the host, to known-hosts';
  if (/Permission denied/.test(stderr)) return 'the deploy user or its key was refused (Permission denied)';
  if (/Connection refused/.test(stderr)) return 'nothing listens for ssh there (Connection refused)';
  if (/timed out/i.test(stderr)) return 'it could not be reached in time (connection timed out)';
  if (/Could not resolve hostname/.test(stderr)) return 'its name does not resolve';
  return `ssh could not connect: ${stderr.trim().split('\n').at(-1) ?? 'no message'}`;
}
