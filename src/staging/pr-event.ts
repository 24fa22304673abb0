import * as z from 'zod/mini';

/** What the staging gate needs of a pull-request webhook payload (GITHUB_EVENT_PATH). */
export interface PullRequestEvent {
  readonly action: string;
  readonly number: number;
  readonly headSha: string;
  /** The head branch is in another repository: its code is a stranger's until a maintainer says otherwise. */
  readonly fork: boolean;
  /**
   * GitHub runs this event with a read-only token and no secrets: a fork's pull_request or
   * pull_request_review event (only pull_request_target runs with the base repository's rights).
   */
  readonly readOnly: boolean;
  readonly author: string;
  readonly sender: string;
  readonly labels: readonly string[];
  /** The label just added (labeled events). */
  readonly label?: string;
  /** The review just submitted (pull_request_review events). */
  readonly review?: { readonly state: string; readonly login: string; readonly commitId: string };
}

const login = z.object({ login: z.string() });
const payload = z.object({
  action: z.string(),
  pull_request: z.object({
    number: z.number(),
    user: login,
    labels: z.array(z.object({ name: z.string() })),
    head: z.object({ sha: z.string(), repo: z.nullable(z.object({ full_name: z.string() })) }),
    base: z.object({ repo: z.object({ full_name: z.string() }) }),
  }),
  sender: login,
  label: z.optional(z.object({ name: z.string() })),
  review: z.optional(z.object({ state: z.string(), user: login, commit_id: z.string() })),
});

/** The pull request of a pull_request, pull_request_target or pull_request_review event; an error for any other. */
export function readPullRequestEvent(eventName: string, event: unknown): PullRequestEvent {
  const parsed = payload.safeParse(event);
  if (!parsed.success) {
    throw new Error(
      `pr-staging runs on pull_request_target (or pull_request, pull_request_review) events; this run's ${eventName || 'unknown'} event has no pull request`,
    );
  }
  const { action, pull_request: pr, sender, label, review } = parsed.data;
  const fork = pr.head.repo?.full_name !== pr.base.repo.full_name;
  return {
    action,
    number: pr.number,
    headSha: pr.head.sha,
    fork,
    readOnly: fork && eventName !== 'pull_request_target',
    author: pr.user.login,
    sender: sender.login,
    labels: pr.labels.map((l) => l.name),
    ...(label ? { label: label.name } : {}),
    ...(review
      ? { review: { state: review.state, login: review.user.login, commitId: review.commit_id } }
      : {}),
  };
}
