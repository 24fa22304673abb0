import net from 'node:net';
import { describeNetworkError } from './http-request.ts';

export interface TcpConnectResult {
  readonly latencyMs: number;
  /** What the server sent first, when a banner was awaited. */
  readonly banner?: string;
  readonly bannerMatched?: boolean;
}

/**
 * Opens a TCP connection and closes it. With `banner`, waits for the server's first bytes
 * (an SSH or SMTP greeting) until they match or the connection ends.
 */
export function connectTcp(
  host: string,
  port: number,
  signal: AbortSignal,
  banner?: { test(text: string): boolean },
): Promise<TcpConnectResult> {
  const started = performance.now();
  const where = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    // A host as URLs write it ([::1]) is the socket's ::1.
    const socket = net.connect({ host: host.replace(/^\[(.*)\]$/, '$1'), port });
    let received = '';
    const done = (result: TcpConnectResult | Error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onAbort = () => done(new Error(`connection to ${where} aborted`));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error) => done(new Error(describeNetworkError(error, where))));
    socket.on('connect', () => {
      if (!banner) done({ latencyMs: performance.now() - started });
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (banner?.test(received))
        done({ latencyMs: performance.now() - started, banner: received, bannerMatched: true });
    });
    socket.on('end', () =>
      done({ latencyMs: performance.now() - started, banner: received, bannerMatched: false }),
    );
  });
}
