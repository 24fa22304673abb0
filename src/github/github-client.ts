import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { GitHubApi, Logger } from '../ports.ts';
import { checkedAnswers } from './answers.ts';

export interface GitHubClientOptions {
  readonly token: string;
  /** GITHUB_API_URL: https://api.github.com, or a GitHub Enterprise Server's /api/v3. */
  readonly baseUrl: string;
  readonly logger: Logger;
  /** The fetch to use: the action runtime passes the runner's proxy-aware one; default Node's. */
  readonly fetch?: typeof fetch;
  /** One request's time limit; a request that overruns counts as an outage and is retried. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** The longest rate-limit wait worth making; beyond it the call fails at once. Default 600 s. */
  readonly maxRateLimitWaitS?: number;
  /** A 429 that says neither retry-after nor a reset: GitHub advises waiting at least a minute. Default 60 s. */
  readonly tooManyFallbackWaitS?: number;
}

const GitHubOctokit = Octokit.plugin(retry, throttling);

/**
 * The one GitHub client of the product, for the actions and the CLI alike: octokit with its retry
 * plugin (5xx and timeouts, three retries, waits growing 1 s, 4 s, 9 s) and throttling plugin
 * (writes spaced as GitHub advises; a primary or secondary rate limit waits as long as GitHub
 * says, twice at most). Loaded on demand: only GitHub-facing work pays for it.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubApi {
  const { logger } = options;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const maxWait = options.maxRateLimitWaitS ?? 600;
  const send = options.fetch ?? fetch;
  const waitFor =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const willWait = retryCount < 2 && retryAfter <= maxWait;
      logger.warning(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}: ${willWait ? `waiting ${retryAfter} s as GitHub advises` : `giving up (GitHub asks for ${retryAfter} s)`}`,
      );
      return willWait;
    };
  const octokit = new GitHubOctokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: 'deploy-actions',
    request: {
      fetch: (url: string, init: RequestInit) => {
        const limit = AbortSignal.timeout(timeoutMs);
        return send(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, limit]) : limit });
      },
    },
    log: {
      debug: (message: string) => logger.debug(message),
      info: (message: string) => logger.debug(message),
      warn: (message: string) => logger.warning(message),
      error: (message: string) => logger.debug(message),
    },
    // One policy per fault: rate limits (403/429) belong to throttling, which waits as GitHub
    // says or gives up; the retry plugin must not then retry what throttling gave up on.
    retry: { retries: 3, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
    throttle: { onRateLimit: waitFor('primary'), onSecondaryRateLimit: waitFor('secondary') },
  });
  octokit.hook.wrap('request', waitOutTooMany(options, maxWait));
  return checkedAnswers(octokit as unknown as GitHubApi);
}

type Route = { method: string; url: string };

/**
 * A plain 429 Too Many Requests (neither a secondary limit nor an exhausted primary one, which
 * throttling takes): waited out as GitHub advises (retry-after, else at least a minute), within
 * the same bound as every rate limit, twice at most. The error it gives up with says how long it
 * waited, so the message never calls a wait it made too long to make.
 */
function waitOutTooMany(options: GitHubClientOptions, maxWait: number) {
  return async <T, R extends Route>(request: (route: R) => T | Promise<T>, route: R): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(route);
      } catch (error) {
        const wait = plainTooManyWait(error, options.tooManyFallbackWaitS ?? 60);
        if (wait === undefined) throw error;
        if (attempt > 2 || wait > maxWait) {
          Object.assign(error as object, { rateLimitWaits: attempt - 1, rateLimitMaxWaitS: maxWait });
          throw error;
        }
        options.logger.warning(
          `GitHub rate limit (429 Too Many Requests) on ${route.method} ${route.url}: waiting ${wait} s as GitHub advises`,
        );
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      }
    }
  };
}

/** Seconds to wait for a plain 429, or undefined when the error is not one (throttling's own are not). */
function plainTooManyWait(error: unknown, fallbackS: number): number | undefined {
  const failure = error as {
    status?: number;
    message?: string;
    response?: { headers?: Record<string, string> };
  };
  if (failure.status !== 429) return undefined;
  const headers = failure.response?.headers ?? {};
  if (/\bsecondary rate\b/i.test(failure.message ?? '') || headers['x-ratelimit-remaining'] === '0')
    return undefined;
  const retryAfter = Number(headers['retry-after']);
  return Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : fallbackS;
}
