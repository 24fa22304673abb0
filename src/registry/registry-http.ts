import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';
import { ConfigurationError, describeError } from '../errors.ts';
import type { Logger } from '../ports.ts';
import type { Redactor } from '../redactor.ts';
import {
  basicAuthorization,
  type Challenge,
  parseChallenge,
  type RegistryCredentials,
  tokenUrl,
} from './registry-auth.ts';

export interface RegistryHttpOptions {
  /** host[:port]; loopback hosts are spoken to over plain HTTP (as Docker does), others over HTTPS. */
  readonly registry: string;
  readonly credentials?: RegistryCredentials;
  readonly logger: Logger;
  /** Tokens the registry hands out are secrets too: masked from the moment they arrive. */
  readonly redactor: Redactor;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  /** One request's time limit; an overrun is an outage and is retried. Default 30 s, as for GitHub. */
  readonly requestTimeoutMs?: number;
  /** The wait before the first retry of an outage (5xx, refused, timed out); then ×3. Default 1 s. */
  readonly retryWaitMs?: number;
  /** The longest 429 wait worth making; beyond it the call fails at once. Default 600 s. */
  readonly maxRateLimitWaitS?: number;
}

export interface RegistryRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** The path under https://registry, e.g. /v2/shop/manifests/v1. */
  readonly path: string;
  /** What the token must allow (`repository:shop:pull`); asked for when the registry challenges. */
  readonly scopes: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

export interface RegistryResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** The registry answered something the request cannot go on from: says which and why. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly status?: number;
  constructor(message: string, status?: number) {
    super(message);
    if (status !== undefined) this.status = status;
  }
}

/** Outages worth another try, as for GitHub: the registry or a proxy in front of it is down or busy. */
const OUTAGE = new Set([500, 502, 503, 504]);
const RETRIES = 3;
const RATE_LIMIT_WAITS = 2;

export type RegistryHttp = (request: RegistryRequest) => Promise<RegistryResponse>;

/**
 * The one way the product speaks to a registry: the distribution API's auth (anonymous, basic,
 * or the bearer token flow with the scopes each request needs, tokens cached per scope), and the
 * GitHub client's policy: 30 s per request, outages retried three times, a 429 waited out as the
 * registry asks (twice at most). Redirects are followed (blobs live elsewhere); fetch drops the
 * Authorization header when a redirect leaves the registry's origin.
 */
export function createRegistryHttp(options: RegistryHttpOptions): RegistryHttp {
  const base = registryBaseUrl(options.registry);
  const send = options.fetch ?? fetch;
  const tokens = new Map<string, string>();
  let challenge: Challenge | undefined;

  const authorization = (scopes: readonly string[]) => {
    if (challenge?.scheme === 'basic' && options.credentials) return basicAuthorization(options.credentials);
    const token = tokens.get(scopeKey(scopes));
    return token ? `Bearer ${token}` : undefined;
  };

  const fetchOnce = async (request: RegistryRequest): Promise<RegistryResponse> => {
    const auth = authorization(request.scopes);
    const signal = AbortSignal.any([
      AbortSignal.timeout(options.requestTimeoutMs ?? 30_000),
      ...(options.signal ? [options.signal] : []),
    ]);
    const response = await send(new URL(request.path, base), {
      method: request.method,
      headers: { ...request.headers, ...(auth ? { authorization: auth } : {}) },
      ...(request.body ? { body: request.body } : {}),
      signal,
    }).catch((error: unknown) => {
      if (options.signal?.aborted) throw new AbortError(describeError(options.signal.reason));
      throw new RegistryError(`${options.registry} could not be reached: ${describeCause(error)}`);
    });
    const body = Buffer.from(
      await response.arrayBuffer().catch((error: unknown) => {
        throw new RegistryError(`${options.registry} broke off its answer: ${describeCause(error)}`);
      }),
    );
    return { status: response.status, headers: response.headers, body };
  };

  const authenticate = async (response: RegistryResponse, scopes: readonly string[]) => {
    const asked = parseChallenge(response.headers.get('www-authenticate'));
    if (!asked)
      throw new RegistryError(`${options.registry} answered 401 without a challenge it could be met by`, 401);
    if (!options.credentials && asked.scheme === 'basic')
      throw new ConfigurationError(
        'registry-username',
        `${options.registry} asks for a username and password`,
      );
    challenge = asked;
    if (asked.scheme === 'basic') return;
    const url = tokenUrl(asked, scopes);
    // A realm is the registry's to name, but a password never travels in clear to another host.
    if (options.credentials && url.protocol !== 'https:' && !isLoopback(url.hostname))
      throw new AbortError(
        new RegistryError(
          `${options.registry} sends its token requests to ${url.origin}, over plain HTTP: the credentials were not sent`,
        ),
      );
    const answer = await send(url, {
      headers: options.credentials ? { authorization: basicAuthorization(options.credentials) } : {},
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? 30_000),
    }).catch((error: unknown) => {
      throw new RegistryError(
        `the token service ${url.origin} could not be reached: ${describeCause(error)}`,
      );
    });
    if (answer.status === 401 || answer.status === 403) throw refused(options, answer.status, scopes);
    const parsed = (await answer.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const token = typeof parsed.token === 'string' ? parsed.token : parsed.access_token;
    if (!answer.ok || typeof token !== 'string' || token === '')
      throw new RegistryError(`the token service ${url.origin} answered ${answer.status} without a token`);
    options.redactor.add(token);
    tokens.set(scopeKey(scopes), token);
  };

  const authorized = async (request: RegistryRequest): Promise<RegistryResponse> => {
    const first = await fetchOnce(request);
    if (first.status !== 401) return first;
    await authenticate(first, request.scopes);
    const second = await fetchOnce(request);
    if (second.status === 401 || second.status === 403) throw refused(options, second.status, request.scopes);
    return second;
  };

  const withinRateLimit = async (request: RegistryRequest): Promise<RegistryResponse> => {
    for (let waited = 0; ; waited += 1) {
      const response = await authorized(request);
      if (OUTAGE.has(response.status))
        throw new RegistryError(
          `${options.registry} answered ${response.status} to ${request.method} ${request.path}`,
          response.status,
        );
      if (response.status !== 429) return response;
      const waitS = retryAfterSeconds(response.headers.get('retry-after'));
      const maxWaitS = options.maxRateLimitWaitS ?? 600;
      if (waited >= RATE_LIMIT_WAITS || waitS > maxWaitS)
        throw new AbortError(
          new RegistryError(
            `${options.registry} is rate limiting (429) ${request.method} ${request.path}: gave up ${waited >= RATE_LIMIT_WAITS ? `after waiting ${RATE_LIMIT_WAITS} times` : `(it asks for ${waitS} s, more than ${maxWaitS} s)`}`,
            429,
          ),
        );
      options.logger.warning(`${options.registry} is rate limiting (429): waiting ${waitS} s as it asks`);
      await sleep(waitS * 1000, undefined, options.signal ? { signal: options.signal } : {});
    }
  };

  return (request) =>
    pRetry(() => withinRateLimit(request), {
      retries: RETRIES,
      minTimeout: options.retryWaitMs ?? 1000,
      factor: 3,
      randomize: false,
      ...(options.signal ? { signal: options.signal } : {}),
      shouldRetry: ({ error }) => error instanceof RegistryError,
      onFailedAttempt: ({ error, retriesLeft }) => {
        if (retriesLeft > 0 && error instanceof RegistryError)
          options.logger.warning(`${error.message}: retrying (${retriesLeft} left)`);
      },
    });
}

export function registryBaseUrl(registry: string): URL {
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  const name = host.replace(/:\d+$/, '');
  return new URL(`${isLoopback(name) ? 'http' : 'https'}://${host}/`);
}

/** Loopback only is spoken to in plain HTTP (as Docker's default insecure registries). */
function isLoopback(hostname: string): boolean {
  const name = hostname.replace(/^\[|\]$/g, '');
  return name === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::1';
}

function refused(options: RegistryHttpOptions, status: number, scopes: readonly string[]): Error {
  const what = scopes.join(' ');
  return options.credentials
    ? new ConfigurationError(
        'registry-password',
        `${options.registry} refused the credentials of ${options.credentials.username} (${status}) for ${what}`,
      )
    : new ConfigurationError(
        'registry-username',
        `${options.registry} refuses anonymous access (${status}) for ${what}: give registry-username and registry-password`,
      );
}

function scopeKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(' ');
}

function retryAfterSeconds(header: string | null): number {
  const seconds = Number(header);
  if (header && Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = header ? Date.parse(header) : Number.NaN;
  // Neither seconds nor a date: a minute, as GitHub advises for its own 429s.
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : 60;
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return 'timed out';
  return cause?.code ?? cause?.message ?? describeError(error);
}
