import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  type PullRequestShape,
  pullRequestEvent,
  pullRequestReviewEvent,
} from '../fixtures/fake-github/events.ts';
import { type FakeGitHub, startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, runGitHubStep } from '../fixtures/fake-github/steps.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';

const OLD_SHA = '1111111111111111111111111111111111111111';
const HEAD_SHA = '2222222222222222222222222222222222222222';

describe('pr-staging: the gate on real pull-request payloads, the sticky comment, the teardown', () => {
  let github: FakeGitHub;
  before(async () => {
    github = await startFakeGitHub({ repos: ['acme/shop'] });
    const repo = github.repo('acme/shop');
    repo.collaborators.set('maintainer-bob', 'maintain');
    repo.collaborators.set('triager-tia', 'triage');
    for (const number of [12, 13, 14, 15, 16, 17, 18, 19]) repo.addPullRequest(number);
  });
  after(() => github.close());

  const fork = (number: number, extra: Partial<PullRequestShape> = {}): PullRequestShape => ({
    number,
    headSha: HEAD_SHA,
    author: 'outsider',
    sender: 'outsider',
    fork: true,
    ...extra,
  });
  const gate = (event: unknown, inputs: Record<string, string> = {}) =>
    runGitHubStep(github, 'pr-staging', {
      eventName: 'pull_request_target',
      event,
      with: { mode: 'gate', ...inputs },
    });
  const comments = (number: number) =>
    github.repo('acme/shop').issues.find((i) => i.number === number)!.comments;

  it('opened by an outsider: waits, and says so in one sticky comment', async () => {
    const step = await gate(pullRequestEvent('opened', fork(12)));

    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.decision, 'wait');
    assert.equal(step.outputs.environment, 'staging-pr-12');
    assert.match(
      step.outputs.reason!,
      /waiting for someone with write permission to add deploy-to-staging or approve/,
    );
    assert.equal(comments(12).length, 1);
    assert.match(comments(12)[0]!.body, /^<!-- deploy-actions:pr-staging -->\n### ⏸ Not deployed to staging/);
  });

  it('labelled by a maintainer: deploys exactly the head commit; the same comment is updated in place', async () => {
    const step = await gate(
      pullRequestEvent('labeled', fork(12, { sender: 'maintainer-bob', labels: ['deploy-to-staging'] }), {
        label: 'deploy-to-staging',
      }),
    );

    assert.equal(step.outputs.decision, 'deploy', step.log);
    assert.equal(step.outputs.ref, HEAD_SHA);
    assert.match(step.outputs.reason!, /@maintainer-bob \(maintain\) added deploy-to-staging at 2222222/);
    assert.equal(comments(12).length, 1, 'one sticky comment, edited');
    assert.match(comments(12)[0]!.body, /🚀 Deploying `2222222` to staging-pr-12/);
    assert.equal(
      step.outputs['comment-url'],
      `https://github.com/acme/shop/issues/12#issuecomment-${comments(12)[0]!.id}`,
    );
  });

  it('labelled by someone without write permission (the author, a triager): waits, naming who and what', async () => {
    const byAuthor = await gate(pullRequestEvent('labeled', fork(13), { label: 'deploy-to-staging' }));
    const byTriager = await gate(
      pullRequestEvent('labeled', fork(13, { sender: 'triager-tia' }), { label: 'deploy-to-staging' }),
    );

    assert.equal(byAuthor.outputs.decision, 'wait');
    assert.match(
      byAuthor.outputs.reason!,
      /@outsider added deploy-to-staging but has read permission; someone with write must add it/,
    );
    assert.equal(byTriager.outputs.decision, 'wait');
    assert.match(byTriager.outputs.reason!, /has triage permission/);
  });

  it('synchronize after an approval: the approval of an older commit does not cover new code', async () => {
    const reviews = github.repo('acme/shop').reviews;
    reviews.set(14, [{ login: 'maintainer-bob', state: 'APPROVED', commit_id: OLD_SHA }]);
    const stale = await gate(
      pullRequestEvent('synchronize', fork(14, { labels: ['deploy-to-staging'] }), { before: OLD_SHA }),
    );

    reviews.set(14, [
      { login: 'maintainer-bob', state: 'APPROVED', commit_id: OLD_SHA },
      { login: 'outsider', state: 'APPROVED', commit_id: HEAD_SHA },
      { login: 'maintainer-bob', state: 'APPROVED', commit_id: HEAD_SHA },
    ]);
    const approved = await gate(pullRequestEvent('synchronize', fork(14), { before: OLD_SHA }));
    const notAllowed = await gate(pullRequestEvent('synchronize', fork(14), { before: OLD_SHA }), {
      'allow-approval': 'false',
    });

    assert.equal(stale.outputs.decision, 'wait');
    assert.match(
      stale.outputs.reason!,
      /2222222 was not reviewed: the label or approval was for an earlier commit/,
    );
    assert.equal(approved.outputs.decision, 'deploy');
    assert.match(approved.outputs.reason!, /approved by @maintainer-bob \(maintain\) at 2222222/);
    assert.equal(notAllowed.outputs.decision, 'wait', 'allow-approval: false takes only the label');
  });

  it('a reviewer who approved and then asked for changes has not approved', async () => {
    github.repo('acme/shop').reviews.set(15, [
      { login: 'maintainer-bob', state: 'APPROVED', commit_id: HEAD_SHA },
      { login: 'maintainer-bob', state: 'CHANGES_REQUESTED', commit_id: HEAD_SHA },
    ]);
    const step = await gate(pullRequestEvent('reopened', fork(15)));
    assert.equal(step.outputs.decision, 'wait');
  });

  it('closed: the gate says teardown; teardown retires every deployment, runs the command, updates the comment', async () => {
    const repo = github.repo('acme/shop');
    for (const state of ['success', 'failure']) {
      repo.deployments.push({
        id: repo.deployments.length + 1,
        ref: HEAD_SHA,
        sha: HEAD_SHA,
        task: 'deploy',
        payload: { 'deploy-actions': 1, version: HEAD_SHA },
        environment: 'staging-pr-12',
        description: '',
        transient_environment: true,
        production_environment: false,
        created_at: '2026-11-24T10:00:00Z',
        statuses: [
          {
            id: 1,
            state,
            description: '',
            environment: 'staging-pr-12',
            environment_url: '',
            log_url: '',
            created_at: '2026-11-24T10:00:00Z',
          },
        ],
      });
    }
    const marker = path.join(mkdtempSync(path.join(tmpdir(), 'teardown-')), 'removed');
    const closed = pullRequestEvent('closed', fork(12));

    const decided = await gate(closed);
    const teardown = await runGitHubStep(github, 'pr-staging', {
      eventName: 'pull_request_target',
      event: closed,
      with: { mode: 'teardown', 'teardown-command': `echo "$DEPLOY_ENVIRONMENT #$PR_NUMBER" > ${marker}` },
    });

    assert.equal(decided.outputs.decision, 'teardown');
    assert.equal(teardown.outcome, 'success', teardown.log);
    for (const d of repo.deployments.filter((d) => d.environment === 'staging-pr-12')) {
      assert.equal(d.statuses.at(-1)!.state, 'inactive');
      assert.equal(d.statuses.at(-1)!.description, 'torn down: pull request #12 closed');
    }
    assert.equal(readFileSync(marker, 'utf8').trim(), 'staging-pr-12 #12');
    assert.equal(comments(12).length, 1);
    assert.match(comments(12)[0]!.body, /🧹 staging-pr-12 torn down/);
    assertFaithful(github);
  });

  it('report: the sticky comment carries the URL, version, deploy and health results and the run', async () => {
    const step = await runGitHubStep(github, 'pr-staging', {
      eventName: 'pull_request_target',
      event: pullRequestEvent('labeled', fork(13, { sender: 'maintainer-bob' }), {
        label: 'deploy-to-staging',
      }),
      with: {
        mode: 'report',
        version: HEAD_SHA,
        'environment-url': 'https://pr-13.staging.example.com',
        'deploy-result': 'success',
        'health-result': 'successful',
      },
    });

    assert.equal(step.outcome, 'success', step.log);
    const body = comments(13).at(-1)!.body;
    assert.equal(comments(13).length, 1);
    assert.match(body, /### ✅ Staging for #13 at https:\/\/pr-13\.staging\.example\.com/);
    assert.match(body, /\| Version \| 2222222222222222222222222222222222222222 \|/);
    assert.match(body, /\| Health \| successful \|/);
    assert.match(body, /\| Run \| https:\/\/github\.com\/acme\/shop\/actions\/runs\/4242 \|/);
  });

  it("a stranger's comment that starts with the marker is never edited, and never speaks for the gate", async () => {
    const planted = {
      id: 900_001,
      issue_number: 16,
      body: '<!-- deploy-actions:pr-staging -->\n### 🚀 Deploying to staging (says the outsider)',
      author: { login: 'outsider', type: 'User' as const },
      created_at: '2026-11-25T09:00:00Z',
      updated_at: '2026-11-25T09:00:00Z',
    };
    comments(16).push(planted);

    const first = await gate(pullRequestEvent('opened', fork(16)));
    const second = await gate(pullRequestEvent('synchronize', fork(16), { before: OLD_SHA }));

    assert.equal(first.outcome, 'success', first.log);
    assert.equal(comments(16).length, 2, 'the gate wrote its own comment beside the planted one');
    assert.equal(comments(16)[0]!.body, planted.body, "the outsider's comment is untouched");
    assert.equal(comments(16)[1]!.author.login, 'github-actions[bot]');
    assert.match(comments(16)[1]!.body, /⏸ Not deployed to staging/);
    assert.equal(second.outputs['comment-url'], first.outputs['comment-url'], 'and it keeps editing its own');
  });

  it("with a person's token, that person's marked comment is the sticky one (found through GET /user)", async () => {
    github.addToken(
      'ghp_deployBotPersonalToken0000000000000',
      { issues: 'write', pull_requests: 'write' },
      'deploy-bot',
    );
    const run = () =>
      runGitHubStep(github, 'pr-staging', {
        eventName: 'pull_request_target',
        event: pullRequestEvent('opened', fork(17)),
        token: 'ghp_deployBotPersonalToken0000000000000',
        with: { mode: 'gate' },
      });
    const first = await run();
    const second = await run();

    assert.equal(second.outcome, 'success', second.log);
    assert.equal(comments(17).length, 1);
    assert.equal(comments(17)[0]!.author.login, 'deploy-bot');
    assert.equal(second.outputs['comment-url'], first.outputs['comment-url']);
  });

  it('reviews are read to the last page: approved in review 1, changes requested in review 102, not approved', async () => {
    github.repo('acme/shop').reviews.set(18, [
      { login: 'maintainer-bob', state: 'APPROVED', commit_id: HEAD_SHA },
      ...Array.from({ length: 100 }, () => ({
        login: 'triager-tia',
        state: 'COMMENTED' as const,
        commit_id: HEAD_SHA,
      })),
      { login: 'maintainer-bob', state: 'CHANGES_REQUESTED', commit_id: HEAD_SHA },
    ]);
    const step = await gate(pullRequestEvent('reopened', fork(18)));
    assert.equal(step.outputs.decision, 'wait', step.outputs.reason);
    assertFaithful(github);
  });

  it("a fork's approving review (read-only token, no secrets): decides wait, says the label is the way, fails nothing", async () => {
    github.addToken('ghs_forkReadOnlyToken000000000000000000', { pull_requests: 'read', issues: 'read' });
    github
      .repo('acme/shop')
      .reviews.set(19, [{ login: 'maintainer-bob', state: 'APPROVED', commit_id: HEAD_SHA }]);
    const step = await runGitHubStep(github, 'pr-staging', {
      eventName: 'pull_request_review',
      event: pullRequestReviewEvent(fork(19), 'maintainer-bob', 'approved'),
      token: 'ghs_forkReadOnlyToken000000000000000000',
      with: { mode: 'gate' },
    });

    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.decision, 'wait');
    assert.match(
      step.outputs.reason!,
      /approved by @maintainer-bob \(maintain\) at 2222222, but GitHub runs a fork's review without secrets or write access, so it cannot deploy; someone with write adds deploy-to-staging to deploy 2222222/,
    );
    assert.match(
      step.log,
      /The sticky comment on #19 is not written: GitHub gives a fork's pull_request and pull_request_review runs a read-only token/,
    );
    assert.equal(comments(19).length, 0);
    assert.match(step.summary, /Staging for #19: wait/);
  });

  it('a failing teardown command: its output is in the log, never in the comment, outputs or summary', async () => {
    const step = await runGitHubStep(github, 'pr-staging', {
      eventName: 'pull_request_target',
      event: pullRequestEvent('closed', fork(15)),
      with: { mode: 'teardown', 'teardown-command': 'echo "rm failed: password=hunter2-xyz" >&2; exit 4' },
    });

    assert.equal(step.outcome, 'failure');
    assert.match(step.log, /rm failed: password=hunter2-xyz/, 'the log shows what the command said');
    const said = [comments(15).at(-1)!.body, JSON.stringify(step.outputs), step.summary];
    for (const text of said) assert.ok(!text.includes('hunter2'), text);
    assert.match(comments(15).at(-1)!.body, /the teardown command exited 4/);
  });

  it('refuses to run on an event without a pull request', async () => {
    const step = await runGitHubStep(github, 'pr-staging', {
      eventName: 'push',
      event: { ref: 'refs/heads/main' },
    });
    assert.equal(step.outcome, 'failure');
    assert.match(
      step.log,
      /pr-staging runs on pull_request_target .* this run's push event has no pull request/,
    );
    assert.ok(!existsSync(path.join(REPO_ROOT, 'nothing')));
  });
});

describe('the reusable staging workflow', () => {
  const workflow = parse(readFileSync(path.join(REPO_ROOT, '.github/workflows/staging.yml'), 'utf8'));
  const steps = (job: string) =>
    workflow.jobs[job].steps as { uses?: string; with?: Record<string, string> }[];

  it('decides before any checkout, and deploys only the commit the gate allowed', () => {
    assert.ok(workflow.on.workflow_call);
    assert.ok(
      !steps('gate').some((s) => s.uses?.startsWith('actions/checkout')),
      'the gate never checks out PR code',
    );
    assert.equal(workflow.jobs.deploy.if, "needs.gate.outputs.decision == 'deploy'");
    const checkout = steps('deploy').find((s) => s.uses?.startsWith('actions/checkout'))!;
    assert.equal(checkout.with?.ref, `\${{ needs.gate.outputs.ref }}`);
    assert.equal(checkout.with?.['persist-credentials'], false);
    assert.equal(workflow.jobs.teardown.if, "needs.gate.outputs.decision == 'teardown'");
    assert.deepEqual(workflow.permissions, {}, 'each job asks for what it needs, nothing at the top');
  });
});
