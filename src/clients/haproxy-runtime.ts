import net from 'node:net';
import { parseHostPort } from '../addresses.ts';

/**
 * One command to HAProxy's runtime API (the stats socket, `level admin`): a unix socket path or
 * `host:port`. HAProxy answers and closes the connection; several commands may be sent at once,
 * separated by `;`, and are run in order. Rejects when the socket cannot be reached or does not
 * answer within `timeoutMs`.
 */
export function haproxyCommand(socket: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    // host:port ([::1]:9999 for IPv6), else a unix socket's path.
    const hostPort = parseHostPort(socket);
    const connection = hostPort ? net.connect(hostPort) : net.connect({ path: socket });
    let answer = '';
    connection.setEncoding('utf8');
    connection.setTimeout(timeoutMs, () =>
      connection.destroy(
        new Error(`HAProxy's runtime API at ${socket} (haproxy-socket) did not answer in ${timeoutMs} ms`),
      ),
    );
    connection.on('connect', () => connection.end(`${command}\n`));
    connection.on('data', (chunk: string) => {
      answer += chunk;
    });
    connection.on('error', (error) =>
      reject(new Error(`cannot reach HAProxy's runtime API at ${socket} (haproxy-socket): ${error.message}`)),
    );
    connection.on('close', (failed) => {
      if (!failed) resolve(answer);
    });
  });
}

/** One server of a backend, as `show servers state` says: its admin state bits and address. */
export interface ServerState {
  readonly adminState: number;
  /** 0 stopped (its health check fails), 1 starting, 2 running, 3 stopping. */
  readonly opState: number;
  readonly address: string;
  readonly port: number;
  /** Its weight now (0: no new traffic), and as configured. */
  readonly weight: number;
  readonly initialWeight: number;
}

/** Server name → its state, from `show servers state <backend>` (format 1). */
export function parseServersState(answer: string, backend: string): Map<string, ServerState> {
  const lines = answer.split('\n').map((line) => line.trim());
  const header =
    lines
      .find((line) => line.startsWith('# be_id'))
      ?.slice(2)
      .split(/\s+/) ?? [];
  const at = (name: string) => header.indexOf(name);
  const found = new Map<string, ServerState>();
  for (const line of lines) {
    if (!line || line.startsWith('#') || /^\d+$/.test(line)) continue;
    const fields = line.split(/\s+/);
    if (fields[at('be_name')] !== backend) continue;
    found.set(fields[at('srv_name')]!, {
      adminState: Number(fields[at('srv_admin_state')]),
      opState: Number(fields[at('srv_op_state')]),
      address: fields[at('srv_addr')] ?? '',
      port: Number(fields[at('srv_port')]),
      weight: Number(fields[at('srv_uweight')]),
      initialWeight: Number(fields[at('srv_iweight')]),
    });
  }
  return found;
}

/**
 * The runtime API as an admin uses it: a command whose refusal (`No such server`, `Permission
 * denied` …) is an error, a backend's servers, and a server's current sessions.
 */
export function haproxyAdmin(socket: string) {
  const command = async (text: string) => {
    const answer = await haproxyCommand(socket, text);
    const refused = answer
      .split('\n')
      .map((line) => line.trim())
      .find((line) => /^(No such|Unknown|Require|Permission denied|Invalid)/i.test(line));
    if (refused) throw new Error(`HAProxy refused "${text}": ${refused}`);
    return answer;
  };
  return {
    command,
    servers: async (backend: string) =>
      parseServersState(await command(`show servers state ${backend}`), backend),
    /** Sessions each server of `backend` holds now (`scur` of `show stat`). */
    async sessions(backend: string): Promise<ReadonlyMap<string, number>> {
      const [header, ...rows] = (await command('show stat')).split('\n');
      const columns = (header ?? '').replace(/^# /, '').split(',');
      const scur = columns.indexOf('scur');
      const found = new Map<string, number>();
      for (const row of rows.map((line) => line.split(',')))
        if (row[0] === backend && row[1]) found.set(row[1], Number(row[scur] ?? 0));
      return found;
    },
  };
}

/** The address socat takes for the runtime API, for the commands a person is told to run. */
export function socatAddress(socket: string): string {
  return socket.includes(':') ? `tcp:${socket}` : socket;
}
