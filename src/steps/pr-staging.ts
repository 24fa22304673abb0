import { runLogged, withoutOutput } from '../deploy/driver.ts';
import { DeploymentsApi } from '../github/deployments-api.ts';
import { callGitHub, explainGitHubError, statusOf } from '../github/github-errors.ts';
import { allPages } from '../github/pages.ts';
import { upsertStickyComment } from '../github/sticky-comment.ts';
import { escapeCell, renderTable } from '../markdown.ts';
import type { Clock, CommandRunner, GitHubApi, Logger, RunContext } from '../ports.ts';
import { RecordBoundary } from '../record-boundary.ts';
import type { Redactor } from '../redactor.ts';
import type { PrStagingSettings } from '../settings/pr-staging.ts';
import {
  decideStagingGate,
  type GateDecision,
  type GateFacts,
  ROLES,
  type Role,
} from '../staging/decide-gate.ts';
import type { PullRequestEvent } from '../staging/pr-event.ts';

export interface PrStagingDeps {
  readonly api: GitHubApi;
  readonly logger: Logger;
  readonly runner: CommandRunner;
  readonly clock: Clock;
  readonly run: RunContext;
  readonly redactor: Redactor;
  readonly signal?: AbortSignal;
}

export interface PrStagingOutcome {
  readonly ok: boolean;
  readonly decision?: GateDecision['decision'];
  readonly reason: string;
  readonly environment: string;
  readonly ref: string;
  readonly number: number;
  readonly commentUrl?: string;
}

export const STICKY_MARKER = '<!-- deploy-actions:pr-staging -->';
const MAX_APPROVERS = 10;
/** 3,000 reviews: beyond any real pull request, short of a loop without end. */
const MAX_REVIEW_PAGES = 30;

interface Review {
  readonly state: string;
  readonly commit_id: string | null;
  readonly user: { readonly login: string } | null;
}

/**
 * A pull request's staging environment: the gate (may this commit deploy, with secrets?), the
 * sticky comment with the result, and the teardown when the pull request closes.
 */
export async function runPrStaging(
  settings: PrStagingSettings,
  event: PullRequestEvent,
  deps: PrStagingDeps,
): Promise<PrStagingOutcome> {
  const environment = `${settings.environmentPrefix}${event.number}`;
  const base = { environment, ref: event.headSha, number: event.number };
  const boundary = new RecordBoundary(deps.redactor);
  const comment = async (body: string): Promise<string | undefined> => {
    if (event.readOnly) {
      deps.logger.warning(
        `The sticky comment on #${event.number} is not written: GitHub gives a fork's pull_request and pull_request_review runs a read-only token. The decision is in the outputs and the summary.`,
      );
      return undefined;
    }
    const text = boundary.text(body);
    return upsertStickyComment(deps.api, settings.github.repository, event.number, STICKY_MARKER, text);
  };
  if (settings.mode === 'report') {
    const commentUrl = await comment(renderReport(settings, environment, event, deps));
    const ok = settings.deployResult !== 'failure' && settings.healthResult !== 'failed';
    return { ...base, ok, reason: 'reported', ...(commentUrl ? { commentUrl } : {}) };
  }
  if (settings.mode === 'teardown') return teardown(settings, event, base, comment, deps);
  const gate = decideStagingGate(event, await gatherFacts(settings, event, deps), settings);
  deps.logger.info(
    `Staging gate for #${event.number} at ${event.headSha.slice(0, 7)}: ${gate.decision} (${gate.reason})`,
  );
  if (gate.decision === 'teardown') return { ...base, ok: true, ...gate };
  const run = deps.run.runUrl ? ` ([run](${deps.run.runUrl}))` : '';
  const text =
    gate.decision === 'deploy'
      ? `### 🚀 Deploying \`${event.headSha.slice(0, 7)}\` to ${escapeCell(environment)}${run}\n\nAllowed: ${escapeCell(gate.reason)}.`
      : `### ⏸ Not deployed to staging\n\n${escapeCell(gate.reason)}.`;
  const commentUrl = await comment(text);
  return { ...base, ok: true, ...gate, ...(commentUrl ? { commentUrl } : {}) };
}

async function gatherFacts(
  settings: PrStagingSettings,
  event: PullRequestEvent,
  deps: PrStagingDeps,
): Promise<GateFacts> {
  if (event.action === 'closed') return { approvals: [] };
  const roleOf = (login: string) => readRole(deps.api, settings, login);
  const labellerRole =
    event.action === 'labeled' && event.label === settings.label ? await roleOf(event.sender) : undefined;
  if (!settings.allowApproval) return { ...(labellerRole ? { labellerRole } : {}), approvals: [] };
  const reviews = await callGitHub(
    'reading the reviews',
    settings.github.repository,
    'pull-requests: read',
    async () => {
      const all: Review[] = [];
      const route = 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews';
      const where = { ...settings.github.repository, pull_number: event.number };
      for await (const review of allPages<Review>(deps.api, route, where, MAX_REVIEW_PAGES)) all.push(review);
      return all;
    },
  );
  // Chronological, every page: a reviewer's last word counts (approved, then asked for changes
  // = not approved), even when it is review 102.
  const latest = new Map<string, { state: string; commitId: string }>();
  for (const review of reviews) {
    if (review.user && review.state !== 'COMMENTED')
      latest.set(review.user.login, { state: review.state, commitId: review.commit_id ?? '' });
  }
  const approvers = [...latest].filter(([, r]) => r.state === 'APPROVED').slice(0, MAX_APPROVERS);
  const approvals = await Promise.all(
    approvers.map(async ([login, r]) => ({ login, role: await roleOf(login), commitId: r.commitId })),
  );
  return { ...(labellerRole ? { labellerRole } : {}), approvals };
}

/** A person's role in the repository (role_name: admin, maintain, write, triage, read), `none` if unknown. */
async function readRole(api: GitHubApi, settings: PrStagingSettings, login: string): Promise<Role> {
  try {
    const { data } = await api.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
      ...settings.github.repository,
      username: login,
    });
    const { role_name: role, permission } = data as { role_name?: string; permission?: string };
    return ROLES.find((r) => r === role) ?? ROLES.find((r) => r === permission) ?? 'none';
  } catch (error) {
    if (statusOf(error) === 404) return 'none';
    throw explainGitHubError(
      error,
      `reading @${login}'s permission`,
      settings.github.repository,
      'metadata: read',
    );
  }
}

async function teardown(
  settings: PrStagingSettings,
  event: PullRequestEvent,
  base: Omit<PrStagingOutcome, 'ok' | 'reason'>,
  comment: (body: string) => Promise<string | undefined>,
  deps: PrStagingDeps,
): Promise<PrStagingOutcome> {
  const deployments = new DeploymentsApi(deps.api, settings.github.repository);
  let retired = 0;
  for (const deployment of await deployments.all(base.environment)) {
    if (deployment.statuses[0]?.state === 'inactive') continue;
    await deployments.postStatus(deployment.id, {
      state: 'inactive',
      description: `torn down: pull request #${event.number} closed`,
      ...(deps.run.runUrl ? { logUrl: deps.run.runUrl } : {}),
    });
    retired++;
  }
  let failure: string | undefined;
  if (settings.teardownCommand) {
    // Its output goes to the log; the reason (outputs, summary, the comment) never quotes it.
    const result = await runLogged(deps.runner, deps.logger, 'the teardown command', {
      command: settings.teardownCommand,
      env: { DEPLOY_ENVIRONMENT: base.environment, PR_NUMBER: String(event.number) },
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    if (result.failure) failure = withoutOutput(result.failure);
  }
  const reason = `${base.environment}: ${retired} deployment(s) marked inactive${settings.teardownCommand ? (failure ? `; ${failure}` : '; teardown command done') : ''}`;
  deps.logger.info(reason);
  const icon = failure ? '⚠️' : '🧹';
  const commentUrl = await comment(
    `### ${icon} ${escapeCell(base.environment)} torn down\n\n${escapeCell(reason)}.`,
  );
  return { ...base, ok: !failure, decision: 'teardown', reason, ...(commentUrl ? { commentUrl } : {}) };
}

function renderReport(
  settings: PrStagingSettings,
  environment: string,
  event: PullRequestEvent,
  deps: PrStagingDeps,
): string {
  const failed = settings.deployResult === 'failure' || settings.healthResult === 'failed';
  const icon = failed ? '❌' : settings.deployResult === 'cancelled' ? '⏹️' : '✅';
  const rows: [string, string][] = [
    ['Environment', settings.environmentUrl ? `${environment} (${settings.environmentUrl})` : environment],
    ['Version', settings.version ?? event.headSha],
    ['Deploy', settings.deployResult ?? '—'],
    ['Health', settings.healthResult ?? '—'],
    ['Run', deps.run.runUrl ?? '—'],
    ['Updated', new Date(deps.clock.now()).toISOString()],
  ];
  const link = settings.environmentUrl ? ` at ${settings.environmentUrl}` : '';
  return `### ${icon} Staging for #${event.number}${escapeCell(link)}\n\n${renderTable(['', ''], rows)}`;
}
