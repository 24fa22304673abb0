import { formatHostPort, parseHostPort } from '../addresses.ts';

/** Where ssh logs in: `user@host[:port]` (an IPv6 host in brackets). */
export interface SshEndpoint {
  readonly user: string;
  readonly host: string;
  readonly port: number;
}

const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
/** A DNS name or an IPv4 address: nothing ssh or its config could read as an option or a second word. */
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$/;

/** `user@host[:port]` read, or what is wrong with it (for the input's error). */
export function parseSshEndpoint(text: string): SshEndpoint | { readonly problem: string } {
  const at = text.indexOf('@');
  if (at <= 0) return { problem: `"${text}" is not user@host[:port] (the deploy user is required)` };
  const user = text.slice(0, at);
  if (!USER.test(user)) return { problem: `"${user}" is not a user name (letters, digits, _ . -)` };
  const rest = text.slice(at + 1);
  // A port is given after the host: `]:22` for a bracketed IPv6 host, the one colon otherwise.
  const withPort = rest.startsWith('[') ? /\]:\d+$/.test(rest) : rest.split(':').length === 2;
  const parsed = parseHostPort(withPort ? rest : `${rest}:22`);
  if (!parsed)
    return { problem: `"${rest}" is not host[:port] (an IPv6 host in brackets: [2001:db8::1]:22)` };
  if (!parsed.host.includes(':') && !HOST_NAME.test(parsed.host))
    return { problem: `"${parsed.host}" is not a host name or address` };
  return { user, host: parsed.host, port: parsed.port };
}

/** `user@host:port`, the host bracketed when IPv6: for messages and ProxyJump. */
export function formatSshEndpoint(endpoint: SshEndpoint): string {
  return `${endpoint.user}@${formatHostPort(endpoint)}`;
}
