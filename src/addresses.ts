/**
 * `host:port` as users write it, with an IPv6 host in brackets (`[::1]:9999`), as URLs, nginx
 * and HAProxy's configuration write it. Parsed hosts carry no brackets: that is how sockets,
 * HAProxy's `show servers state` and the environment name them.
 */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

/** The host and port of `text`, or undefined when it is not host:port (a port 1 to 65535). */
export function parseHostPort(text: string): HostPort | undefined {
  const match = HOST_PORT.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}

/** The host as a URL writes it: bracketed when it is IPv6. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** `host:port`, the host bracketed when it is IPv6. */
export function formatHostPort({ host, port }: HostPort): string {
  return `${urlHost(host)}:${port}`;
}

/** A slot's own address as a URL: what `{slot_url}` stands for, and where a person previews it. */
export function slotUrl(address: { readonly host: string; readonly port: number }): string {
  return `http://${formatHostPort(address)}`;
}
