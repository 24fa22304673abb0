import type { RepositoryRef } from '../ports.ts';
import { GitHubAnswerError } from './answers.ts';

/** A GitHub call that failed after the client's retries and rate-limit waits, said so a person can act. */
export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError';
  readonly status: number | undefined;

  constructor(message: string, status: number | undefined) {
    super(message);
    this.status = status;
  }
}

interface OctokitLikeError {
  readonly status?: number;
  readonly message?: string;
  readonly response?: {
    readonly headers?: Readonly<Record<string, string | number | undefined>>;
    readonly data?: unknown;
  };
}

/** The HTTP status of a failed GitHub call, if it got that far. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as OctokitLikeError | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Why `doing` (e.g. "opening the incident issue") failed, in words that name the fix: the
 * repository and token scope for a 404, the missing permission for a 403, the token for a 401.
 * `permission` is what the call needs, as a workflow's `permissions:` writes it (`issues: write`).
 */
export function explainGitHubError(
  error: unknown,
  doing: string,
  repository: RepositoryRef,
  permission: string,
): GitHubApiError {
  if (error instanceof GitHubAnswerError) return new GitHubApiError(`${doing}: ${error.message}.`, undefined);
  const failure = (error ?? {}) as OctokitLikeError;
  const status = statusOf(error);
  const name = `${repository.owner}/${repository.repo}`;
  const said = String(
    (failure.response?.data as { message?: unknown } | undefined)?.message ?? failure.message ?? error,
  );
  const accepted = failure.response?.headers?.['x-accepted-github-permissions'];
  if (status === 401)
    return new GitHubApiError(
      `${doing}: GitHub refused the token (401 ${said}); check the github-token input.`,
      401,
    );
  if (status === 404)
    return new GitHubApiError(
      `${doing}: GitHub answered 404 for repository ${name}: it does not exist or the token cannot see it. Check the repository input; a workflow's GITHUB_TOKEN sees only its own repository, a personal access token needs the repo scope.`,
      404,
    );
  if (status === 429) {
    const wait = Number(failure.response?.headers?.['retry-after']);
    const { rateLimitWaits: waited = 0, rateLimitMaxWaitS: bound } = failure as {
      rateLimitWaits?: number;
      rateLimitMaxWaitS?: number;
    };
    // What was done about it, as it happened: a wait too long to make, or waits made in vain.
    const why =
      bound !== undefined && wait > bound
        ? `; it asks to wait ${wait} s, longer than the ${bound} s worth waiting`
        : waited > 0
          ? `; still limited after waiting ${waited === 1 ? 'once' : `${waited} times`} as it asked`
          : '';
    return new GitHubApiError(`${doing}: GitHub is rate-limiting this token (429 ${said}${why}).`, 429);
  }
  if (status === 403 && /rate limit/i.test(said))
    return new GitHubApiError(`${doing}: GitHub's rate limit for this token is exhausted (${said}).`, 403);
  if (status === 403 || (status === 422 && /not accessible/i.test(said)))
    return new GitHubApiError(
      `${doing}: the token lacks the ${permission} permission on ${name} (GitHub: ${said}${accepted ? `; it accepts ${accepted}` : ''}). Grant it in the workflow: permissions: { ${permission} }.`,
      status,
    );
  if (status === undefined || status >= 500)
    return new GitHubApiError(
      `${doing}: GitHub's API did not answer after retries (${status ?? 'no answer'}: ${said}).`,
      status,
    );
  return new GitHubApiError(`${doing}: GitHub answered ${status}: ${said}`, status);
}

/** Runs one GitHub call; a failure (after the client's retries) becomes a GitHubApiError saying what to fix. */
export async function callGitHub<T>(
  doing: string,
  repository: RepositoryRef,
  permission: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw explainGitHubError(error, doing, repository, permission);
  }
}
