import { getOctokit } from '@actions/github';
import { defaults } from '@actions/github/lib/utils';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { GitHubApi, Logger } from '../../src/entries/runtime.ts';

export interface GitHubClientOptions {
  readonly token: string;
  /** GITHUB_API_URL: https://api.github.com, or a GitHub Enterprise Server's /api/v3. */
  readonly baseUrl: string;
  readonly logger: Logger;
  /** One request's time limit; a request that overruns counts as an outage and is retried. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** The longest rate-limit wait worth making; beyond it the call fails at once. Default 600 s. */
  readonly maxRateLimitWaitS?: number;
}

/**
 * The one GitHub client of the product (actions and CLI): @actions/github's octokit (proxy
 * settings of the runner honoured) with octokit's retry plugin (5xx and timeouts, three
 * retries, waits growing 1 s, 4 s, 9 s) and throttling plugin (writes spaced as GitHub
 * advises; a primary or secondary rate limit waits as long as GitHub says, twice at most).
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubApi {
  const { logger } = options;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const maxWait = options.maxRateLimitWaitS ?? 600;
  const proxyFetch = (defaults.request?.fetch ?? fetch) as typeof fetch;
  const waitFor =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const willWait = retryCount < 2 && retryAfter <= maxWait;
      logger.warning(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}: ${willWait ? `waiting ${retryAfter} s as GitHub advises` : `giving up (GitHub asks for ${retryAfter} s)`}`,
      );
      return willWait;
    };
  return getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      request: {
        fetch: (url: string, init: RequestInit) => {
          const limit = AbortSignal.timeout(timeoutMs);
          return proxyFetch(url, {
            ...init,
            signal: init.signal ? AbortSignal.any([init.signal, limit]) : limit,
          });
        },
      },
      log: {
        debug: (message: string) => logger.debug(message),
        info: (message: string) => logger.debug(message),
        warn: (message: string) => logger.warning(message),
        error: (message: string) => logger.debug(message),
      },
      retry: { retries: 3 },
      throttle: { onRateLimit: waitFor('primary'), onSecondaryRateLimit: waitFor('secondary') },
    },
    retry,
    throttling,
  ) as unknown as GitHubApi;
}
