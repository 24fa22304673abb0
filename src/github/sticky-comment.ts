import type { GitHubApi, RepositoryRef } from '../ports.ts';
import { explainGitHubError, statusOf } from './github-errors.ts';
import { allPages } from './pages.ts';

interface Comment {
  readonly id: number;
  readonly body?: string | null;
  readonly html_url: string;
  readonly user: { readonly login: string; readonly type?: string } | null;
}

/** Who the token writes as: a login, or any bot account for an installation token (which cannot read /user). */
type Identity = { readonly login: string } | 'a bot';

/**
 * Keeps one comment per `marker` on an issue or pull request: updated in place when it exists,
 * created otherwise. Returns the comment's URL. Ours is a comment that starts with the marker
 * **and** was written by the token's identity: anyone can type the marker, so a stranger's
 * comment that starts with it is never edited, and never speaks for the gate.
 */
export async function upsertStickyComment(
  api: GitHubApi,
  repository: RepositoryRef,
  number: number,
  marker: string,
  body: string,
): Promise<string> {
  const text = `${marker}\n${body}`;
  try {
    const identity = await whoWrites(api);
    const route = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments';
    for await (const comment of allPages<Comment>(api, route, { ...repository, issue_number: number }, 20)) {
      if (!(comment.body ?? '').startsWith(marker) || !writtenBy(comment, identity)) continue;
      const updated = await api.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
        ...repository,
        comment_id: comment.id,
        body: text,
      });
      return (updated.data as Comment).html_url;
    }
    const created = await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...repository,
      issue_number: number,
      body: text,
    });
    return (created.data as Comment).html_url;
  } catch (error) {
    throw explainGitHubError(error, `updating the comment on #${number}`, repository, 'pull-requests: write');
  }
}

/**
 * A personal token reads its login from /user. An installation token (a workflow's
 * GITHUB_TOKEN, a GitHub App's) is refused there (403) and writes as a bot account, which
 * no person can comment as.
 */
async function whoWrites(api: GitHubApi): Promise<Identity> {
  try {
    const { data } = await api.request('GET /user');
    return { login: (data as { login: string }).login };
  } catch (error) {
    if (statusOf(error) === 403) return 'a bot';
    throw error;
  }
}

function writtenBy(comment: Comment, identity: Identity): boolean {
  if (!comment.user) return false;
  return identity === 'a bot' ? comment.user.type === 'Bot' : comment.user.login === identity.login;
}
