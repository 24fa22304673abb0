import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pullRequestEvent } from '../fixtures/fake-github/events.ts';
import { type FakeGitHub, FULL_TOKEN, startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, assertNoSecretSent, runGitHubStep } from '../fixtures/fake-github/steps.ts';

const DB_PASSWORD = 'hunter2-db-secret-91f';
const SIGNING_KEY = 'signing-key-3c0ffee-77';

/**
 * Every GitHub-facing action, given secrets the way workflows give them (the token, masked
 * values, a secret in the environment that a failing command prints), and then every request
 * the fake GitHub received is searched for them: bodies, paths and query strings.
 */
describe('no secret given to an action reaches GitHub', () => {
  let github: FakeGitHub;
  before(async () => {
    github = await startFakeGitHub({ repos: ['acme/shop'] });
    github.repo('acme/shop').addPullRequest(7);
  });
  after(() => github.close());

  it('deploy (backend github), rollback, incident-issue and pr-staging: nothing secret in any request', async () => {
    const secrets = [DB_PASSWORD, SIGNING_KEY];
    const env = { DB_PASSWORD, SIGNING_KEY };
    const stateDir = () => mkdtempSync(path.join(tmpdir(), 'secrets-'));
    const target = { environment: 'secret-env', backend: 'github', 'retry-wait': '10ms', attempts: '1' };
    // A command that fails while printing what it should not: the failure's reason quotes it.
    const leaky = `echo "connecting with password=$DB_PASSWORD token ${FULL_TOKEN}" >&2; echo "$SIGNING_KEY" >&2; exit 1`;

    const first = await runGitHubStep(github, 'deploy', {
      env,
      secrets,
      with: { ...target, version: 'v0', command: 'true', 'state-dir': stateDir() },
    });
    const good = await runGitHubStep(github, 'deploy', {
      env,
      secrets,
      with: { ...target, version: 'v1', command: 'true', 'state-dir': stateDir() },
    });
    const failed = await runGitHubStep(github, 'deploy', {
      env,
      secrets,
      with: { ...target, version: 'v2', command: leaky, 'state-dir': stateDir() },
    });
    const rollback = await runGitHubStep(github, 'rollback', {
      env,
      secrets,
      with: { ...target, command: 'true', 'state-dir': stateDir() },
    });
    const incident = await runGitHubStep(github, 'incident-issue', {
      secrets,
      with: {
        environment: 'secret-env',
        version: 'v2',
        stage: 'deploy',
        log: `${failed.log}\npassword=${DB_PASSWORD}\n${SIGNING_KEY}`,
        'mask-values': `${DB_PASSWORD}\n${SIGNING_KEY}`,
      },
    });
    const report = await runGitHubStep(github, 'pr-staging', {
      secrets,
      eventName: 'pull_request_target',
      event: pullRequestEvent(
        'labeled',
        { number: 7, headSha: 'a'.repeat(40), author: 'x', sender: 'x' },
        { label: 'y' },
      ),
      with: { mode: 'report', 'deploy-result': 'failure', version: 'v2' },
    });

    // Each step's outcome with the end of its log: this test once failed on a fresh machine's
    // first run and not since; if it fails again, the failing step's own words say why.
    const tail = (step: { log: string }) => step.log.slice(-3000);
    assert.equal(first.outcome, 'success', tail(first));
    assert.equal(good.outcome, 'success', tail(good));
    assert.equal(failed.outcome, 'failure', tail(failed));
    assert.equal(rollback.outcome, 'success', tail(rollback));
    assert.equal(incident.outputs.action, 'opened', tail(incident));
    assert.equal(report.outcome, 'failure', `a failed deploy reported is a failed step: ${tail(report)}`);
    const failedStatus = github
      .repo('acme/shop')
      .deployments.find((d) => d.payload.version === 'v2')!.statuses;
    assert.ok(
      failedStatus.some((s) => s.state === 'failure'),
      'the failure was recorded',
    );
    assert.ok(github.requests.length > 20);
    assertNoSecretSent(github, [DB_PASSWORD, SIGNING_KEY, FULL_TOKEN]);
    for (const request of github.requests) {
      assert.doesNotMatch(request.body, /password=(?!\*\*\*)/, `${request.route} sent a password`);
    }
    assertFaithful(github);
  });
});
