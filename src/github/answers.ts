import * as z from 'zod/mini';
import type { GitHubApi } from '../ports.ts';

/**
 * What GitHub's answers must hold, for each route the product calls: only the fields it reads,
 * anything else allowed. An answer that does not fit (HTML from a proxy, JSON cut short, an
 * object where a list belongs) becomes a GitHubAnswerError naming the route and what was wrong,
 * instead of `#undefined` or `i.find is not a function` further on.
 */
const id = z.int().check(z.positive());
const text = z.string();
const nullableText = z.optional(z.nullable(z.string()));
const issue = z.looseObject({ number: id, html_url: text });
const comment = z.looseObject({
  id,
  html_url: text,
  body: nullableText,
  user: z.nullable(z.looseObject({ login: text, type: z.optional(text) })),
});
const deployment = z.looseObject({ id, created_at: text, payload: z.unknown() });
const deploymentStatus = z.looseObject({ state: text, description: nullableText, created_at: text });

const ANSWERS: Readonly<Record<string, z.ZodMiniType>> = {
  'GET /repos/{owner}/{repo}/issues': z.array(
    z.looseObject({ number: id, html_url: text, body: nullableText, pull_request: z.optional(z.unknown()) }),
  ),
  'POST /repos/{owner}/{repo}/issues': issue,
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': comment,
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': z.array(comment),
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': comment,
  'GET /repos/{owner}/{repo}/deployments': z.array(deployment),
  'GET /repos/{owner}/{repo}/deployments/{deployment_id}': deployment,
  'POST /repos/{owner}/{repo}/deployments': z.union([deployment, z.looseObject({ message: text })]),
  'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': z.array(deploymentStatus),
  'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': deploymentStatus,
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}': z.looseObject({ status: z.nullable(text) }),
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews': z.array(
    z.looseObject({
      state: text,
      commit_id: z.nullable(text),
      user: z.nullable(z.looseObject({ login: text })),
    }),
  ),
  'GET /repos/{owner}/{repo}/collaborators/{username}/permission': z.looseObject({
    permission: text,
    role_name: z.optional(text),
  }),
  'GET /user': z.looseObject({ login: text }),
};

/** GitHub answered, but not with what its API documents for the route. */
export class GitHubAnswerError extends Error {
  override readonly name = 'GitHubAnswerError';
}

/** `api` whose answers are checked against `ANSWERS` before anyone reads them. */
export function checkedAnswers(api: GitHubApi): GitHubApi {
  return {
    async request(route, parameters) {
      const response = await api.request(route, parameters);
      const shape = ANSWERS[route];
      if (!shape || response.status === 204) return response;
      const checked = z.safeParse(shape, response.data);
      if (!checked.success) throw new GitHubAnswerError(describe(route, response.data, checked.error));
      return response;
    },
  };
}

function describe(route: string, data: unknown, error: z.core.$ZodError): string {
  const said =
    typeof data === 'string'
      ? `not JSON: ${JSON.stringify(data.length > 80 ? `${data.slice(0, 80)}…` : data)}`
      : error.issues
          .slice(0, 3)
          .map(
            (issue) =>
              `${issue.path.length > 0 ? issue.path.join('.') : 'the answer'}: ${explain(issue, data)}`,
          )
          .join('; ');
  return `GitHub's answer to ${route} is not what its API documents (${said}); GitHub or a proxy in between may be in trouble`;
}

function explain(issue: z.core.$ZodIssue, data: unknown): string {
  if (issue.code !== 'invalid_type') return issue.code.replaceAll('_', ' ');
  const found = issue.path.reduce<unknown>(
    (value, key) => (value as Record<PropertyKey, unknown>)?.[key],
    data,
  );
  const kind = found === null ? 'null' : Array.isArray(found) ? 'array' : typeof found;
  return `expected ${issue.expected}, got ${kind === 'undefined' ? 'nothing' : kind}`;
}
