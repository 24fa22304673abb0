import type http from 'node:http';

export interface HttpRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Verify the server's TLS certificate. On unless the user turns it off for one probe. */
  readonly tlsVerify: boolean;
  readonly signal: AbortSignal;
  /** Stop reading after this many bytes (the body is then marked truncated). Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly truncated: boolean;
  /** From sending the request to the last byte read. */
  readonly latencyMs: number;
}

/**
 * One HTTP(S) request on a fresh connection (a health probe should prove that connecting works,
 * not reuse a socket that happens to be open). Redirects are not followed. Rejects with a
 * readable reason when the request could not complete: refused, reset, DNS, TLS, aborted.
 */
export async function sendHttpRequest(request: HttpRequest): Promise<HttpResponse> {
  const limit = request.maxBodyBytes ?? 1024 * 1024;
  // Loaded when first used: the TLS stack alone costs a cold start ~7 ms that a check of
  // plain-HTTP or TCP probes should not pay.
  const transport =
    request.url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = transport.request(request.url, {
      method: request.method,
      headers: request.headers,
      agent: false,
      signal: request.signal,
      rejectUnauthorized: request.tlsVerify,
    });
    req.on('error', (error) => reject(new Error(describeNetworkError(error, request.url))));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        size += chunk.length;
        if (size > limit) {
          truncated = true;
          chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
          res.destroy();
          finish();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (error) => {
        if (!truncated) reject(new Error(describeNetworkError(error, request.url)));
      });
      const finish = () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          truncated,
          latencyMs: performance.now() - started,
        });
      res.on('end', finish);
    });
    req.end(request.body);
  });
}

const CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused: nothing listens there',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed by the server',
  HPE_INVALID_CONSTANT: 'the server did not answer with HTTP',
  HPE_INVALID_VERSION: 'the server did not answer with HTTP',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS: self-signed certificate (set tls-verify: false to accept it)',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS: self-signed certificate in chain (set tls-verify: false to accept it)',
  CERT_HAS_EXPIRED: 'TLS: certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS: certificate does not match the host name',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS: unable to verify the certificate',
};

/** A network error in words, with the address it concerns; never the request's headers. */
export function describeNetworkError(error: unknown, target: URL | string): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const where = typeof target === 'string' ? target : target.host;
  if (code === 'ABORT_ERR' || (error as Error).name === 'AbortError') return `request to ${where} aborted`;
  const known = CODES[code];
  return known ? `${known} (${where})` : `${(error as Error).message} (${where})`;
}
