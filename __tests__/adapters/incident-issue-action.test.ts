import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeGitHub, startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, assertNoSecretSent, runGitHubStep } from '../fixtures/fake-github/steps.ts';
import { startTestService, type TestService } from '../fixtures/test-service.ts';
import { runStep } from '../harness/run-action.ts';

const DB_PASSWORD = 'db-pass-5f3a9c';
const LEAKED_TOKEN = `ghp_${'A1b2C3d4'.repeat(5)}`;
const FAILING_LOG = [
  'TASK [restart shop] ****',
  `fatal: connecting with password=${DB_PASSWORD} failed`,
  `curl -H "Authorization: Bearer ${LEAKED_TOKEN}" https://api.example.com`,
  '::error::a workflow command in the output',
  '```',
  '<script>alert(1)</script>',
  'shop.service: main process exited, code=exited, status=1/FAILURE',
].join('\n');

describe('incident-issue action (dist/ through the runner harness, against the fake GitHub)', () => {
  let github: FakeGitHub;
  let service: TestService;
  let healthReport: string;
  before(async () => {
    github = await startFakeGitHub({ repos: ['acme/shop'] });
    github.repo('acme/shop').collaborators.set('alice-oncall', 'write');
    service = await startTestService();
    // A real health-check report: the health-check action run against a failing endpoint.
    const health = await runStep('health-check', {
      with: {
        probes: `- { name: checkout, type: http, url: "${service.url}/failing" }`,
        count: '2',
        interval: '50ms',
        'failure-limit': '0',
      },
    });
    assert.equal(health.outcome, 'failure');
    healthReport = health.outputs.report!;
  });
  after(async () => {
    await github.close();
    await service.close();
  });

  const failure = (extra: Record<string, string> = {}) => ({
    environment: 'production',
    version: 'v2.0.0',
    'previous-version': 'v1.0.0',
    stage: 'health-check',
    rollback: 'succeeded',
    'health-report': healthReport,
    log: FAILING_LOG,
    assignees: '@alice-oncall',
    'mask-values': DB_PASSWORD,
    ...extra,
  });

  it('opens a labelled, assigned incident with everything a person needs, and no secret', async () => {
    const step = await runGitHubStep(github, 'incident-issue', { with: failure(), secrets: [DB_PASSWORD] });

    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.action, 'opened');
    const repo = github.repo('acme/shop');
    const issue = repo.issues.find((i) => i.number === Number(step.outputs['issue-number']))!;
    assert.equal(step.outputs['issue-url'], `https://github.com/acme/shop/issues/${issue.number}`);
    assert.equal(
      issue.title,
      'Deploy incident: production v2.0.0 failed at health-check, rolled back to v1.0.0',
    );
    assert.deepEqual(issue.labels, ['production-incident']);
    assert.deepEqual(repo.labels.get('production-incident'), {
      color: 'b60205',
      description: 'A production deploy failed (opened by deploy-actions)',
    });
    assert.deepEqual(issue.assignees, ['alice-oncall']);
    assert.ok(issue.body.startsWith('<!-- deploy-actions:incident environment="production" -->'));
    for (const fact of [
      '| Failed stage | health-check |',
      '| Target version | v2.0.0 |',
      '| Previous version | v1.0.0 |',
      '✅ succeeded: v1.0.0 is serving again',
      '| Actor | @octocat |',
      'https://github.com/acme/shop/actions/runs/4242',
      '❌ Health check failed',
      `GET ${service.url}/failing`,
      'shop.service: main process exited',
    ]) {
      assert.ok(issue.body.includes(fact), `the body should show ${fact}\n${issue.body}`);
    }
    // The log is fenced by more backticks than it holds, so its ``` and HTML stay text.
    assert.match(
      issue.body,
      /````text\nTASK \[restart shop\][\s\S]*<script>alert\(1\)<\/script>[\s\S]*\n````/,
    );
    assert.ok(!issue.body.includes(DB_PASSWORD), 'mask-values are removed');
    assert.ok(!issue.body.includes(LEAKED_TOKEN), 'credential-shaped text is removed');
    assert.ok(!step.log.includes(DB_PASSWORD) && !step.summary.includes(DB_PASSWORD));
    assert.match(
      step.summary,
      /🚨 Incident \[#\d+\]\(https:\/\/github.com\/acme\/shop\/issues\/\d+\) opened/,
    );
    assertNoSecretSent(github, [DB_PASSWORD, LEAKED_TOKEN]);
    assertFaithful(github);
  });

  it('comments on the open incident instead of opening another; another environment gets its own', async () => {
    const before = github.repo('acme/shop').issues.length;
    const first = await runGitHubStep(github, 'incident-issue', {
      with: failure({ environment: 'eu-prod' }),
    });
    const again = await runGitHubStep(github, 'incident-issue', {
      with: failure({ environment: 'eu-prod', version: 'v2.0.1', stage: 'deploy', rollback: 'failed' }),
    });

    assert.equal(first.outputs.action, 'opened');
    assert.equal(again.outputs.action, 'commented');
    assert.equal(again.outputs['issue-number'], first.outputs['issue-number']);
    const repo = github.repo('acme/shop');
    assert.equal(repo.issues.length, before + 1);
    const issue = repo.issues.find((i) => i.number === Number(first.outputs['issue-number']))!;
    assert.match(
      issue.comments.at(-1)!.body,
      /Failed again: Deploy incident: eu-prod v2\.0\.1 failed at deploy/,
    );
    assert.match(issue.comments.at(-1)!.body, /❌ failed: the environment may be down/);
    assert.match(again.log, /eu-prod failed again: commented on the open incident/);
    assertFaithful(github);
  });

  it('finds the open incident behind 1,500 newer open incidents of other environments: commented, never opened twice', async () => {
    const repo = github.repo('acme/shop');
    const first = await runGitHubStep(github, 'incident-issue', {
      with: failure({ environment: 'crowded' }),
    });
    assert.equal(first.outputs.action, 'opened', first.log);
    const model = repo.issues.find((i) => i.number === Number(first.outputs['issue-number']))!;
    for (let i = 0; i < 1500; i++)
      repo.issues.push({
        ...model,
        number: 100_000 + i,
        body: model.body.replaceAll('crowded', `other-${i}`),
        comments: [],
      });
    const again = await runGitHubStep(github, 'incident-issue', {
      with: failure({ environment: 'crowded', version: 'v2.0.1' }),
    });
    assert.equal(again.outputs.action, 'commented', again.log);
    assert.equal(again.outputs['issue-number'], first.outputs['issue-number']);
    for (const issue of repo.issues) if (issue.number >= 100_000) issue.state = 'closed';
  });

  it('finds the open incident by its marker, not its title', async () => {
    const repo = github.repo('acme/shop');
    const opened = await runGitHubStep(github, 'incident-issue', {
      with: failure({ environment: 'staging' }),
    });
    const issue = repo.issues.find((i) => i.number === Number(opened.outputs['issue-number']))!;
    issue.title = 'Checkout down (edited by the on-call)';
    // An issue someone opened by hand with the same title and label is not the incident.
    repo.issues.push({ ...issue, number: repo.issues.length + 1, body: 'staging is broken', comments: [] });

    const again = await runGitHubStep(github, 'incident-issue', {
      with: failure({ environment: 'staging' }),
    });

    assert.equal(again.outputs.action, 'commented');
    assert.equal(again.outputs['issue-number'], String(issue.number));
  });

  it('resolve: comments which version fixed it and closes the incident; nothing open is no error', async () => {
    const opened = await runGitHubStep(github, 'incident-issue', {
      with: failure({ environment: 'us-prod' }),
    });
    const resolve = { mode: 'resolve', environment: 'us-prod', version: 'v2.0.2' };

    const closed = await runGitHubStep(github, 'incident-issue', { with: resolve });
    const nothing = await runGitHubStep(github, 'incident-issue', { with: resolve });

    assert.equal(closed.outcome, 'success', closed.log);
    assert.equal(closed.outputs.action, 'closed');
    const issue = github
      .repo('acme/shop')
      .issues.find((i) => i.number === Number(opened.outputs['issue-number']))!;
    assert.equal(issue.state, 'closed');
    assert.equal(issue.state_reason, 'completed');
    assert.match(
      issue.comments.at(-1)!.body,
      /✅ Resolved: us-prod is healthy again; version `v2\.0\.2` was deployed/,
    );
    assert.equal(nothing.outcome, 'success');
    assert.equal(nothing.outputs.action, 'none');
    assertFaithful(github);
  });

  it('assigns the logins GitHub accepts and warns about the one it refuses', async () => {
    const step = await runGitHubStep(github, 'incident-issue', {
      with: failure({ environment: 'qa', assignees: 'alice-oncall, nobody-here' }),
    });

    assert.equal(step.outputs.action, 'opened');
    const issue = github
      .repo('acme/shop')
      .issues.find((i) => i.number === Number(step.outputs['issue-number']))!;
    assert.deepEqual(issue.assignees, ['alice-oncall'], 'the on-call is still assigned');
    assert.match(
      step.log,
      /::warning::GitHub would not assign @nobody-here \(are they collaborators\?\); assigning the others/,
    );
    assertFaithful(github);
  });

  it('GitHub created the issue but answered 502: the incident is found, never opened twice', async () => {
    github.failNext('POST /repos/{owner}/{repo}/issues', { status: 502, afterDoing: true });
    const step = await runGitHubStep(github, 'incident-issue', { with: failure({ environment: 'flaky' }) });
    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.action, 'opened');
    const opened = github
      .repo('acme/shop')
      .issues.filter((i) => i.body.includes('deploy-actions:incident environment="flaky"'));
    assert.equal(opened.length, 1, 'one incident, not two');
    assert.equal(step.outputs['issue-number'], String(opened[0]!.number));
    assert.match(step.log, /GitHub answered 502 but had opened incident #\d+: using it/);
  });

  it('refuses bad inputs by name before calling GitHub', async () => {
    const calls = github.requests.length;
    for (const [inputs, message] of [
      [{ mode: 'reopen' }, /Input "mode": expected open or resolve/],
      [
        { rollback: 'maybe' },
        /Input "rollback": expected succeeded, failed, not-needed, not-reached, reverted or none/,
      ],
      [{ assignees: 'alice oncall!' }, /Input "assignees": "oncall!" is not a GitHub login/],
      [{ repository: 'just-a-name' }, /Input "repository": "just-a-name" is not owner\/name/],
      [
        { 'health-report': '{"verdict": 1}' },
        /Input "health-report": expected the health-check action's report/,
      ],
    ] as const) {
      const step = await runGitHubStep(github, 'incident-issue', { with: failure(inputs) });
      assert.equal(step.outcome, 'failure');
      assert.match(step.log, message);
      assert.doesNotMatch(step.log, /\n\s+at /, 'no stack trace');
    }
    assert.equal(github.requests.length, calls);
  });
});
