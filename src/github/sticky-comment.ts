import type { GitHubApi, RepositoryRef } from '../ports.ts';
import { explainGitHubError } from './github-errors.ts';

/**
 * Keeps one comment per `marker` on an issue or pull request: updated in place when it exists
 * (found by the hidden marker it starts with), created otherwise. Returns the comment's URL.
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
    for (let page = 1; page <= 20; page++) {
      const { data } = await api.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...repository,
        issue_number: number,
        per_page: 100,
        page,
      });
      const comments = data as { id: number; body?: string; html_url: string }[];
      const mine = comments.find((c) => (c.body ?? '').startsWith(marker));
      if (mine) {
        const updated = await api.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
          ...repository,
          comment_id: mine.id,
          body: text,
        });
        return (updated.data as { html_url: string }).html_url;
      }
      if (comments.length < 100) break;
    }
    const created = await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...repository,
      issue_number: number,
      body: text,
    });
    return (created.data as { html_url: string }).html_url;
  } catch (error) {
    throw explainGitHubError(error, `updating the comment on #${number}`, repository, 'pull-requests: write');
  }
}
