import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeGitHub, startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, runGitHubStep } from '../fixtures/fake-github/steps.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { startVersionedService } from '../fixtures/versioned-service.ts';

/**
 * The root action (`uses: org/deploy-actions@v1`) and `deploy-actions run`: the whole pipeline
 * against a real service whose health follows the deployed version, and the fake GitHub.
 */
describe('the whole pipeline in one step (root action and CLI run)', () => {
  let github: FakeGitHub;
  let service: Awaited<ReturnType<typeof startVersionedService>>;
  const dir = mkdtempSync(path.join(tmpdir(), 'pipeline-'));
  const live = path.join(dir, 'live-version');
  before(async () => {
    github = await startFakeGitHub({ repos: ['acme/shop'] });
    github.repo('acme/shop').collaborators.set('alice-oncall', 'write');
    service = await startVersionedService(live);
  });
  after(async () => {
    await github.close();
    await service.close();
  });

  const inputs = (version: string) => ({
    environment: 'production',
    version,
    command: `echo "$DEPLOY_VERSION" > ${live}`,
    'state-dir': path.join(dir, 'state'),
    'retry-wait': '10ms',
    'preflight-checks': '- { type: command, command: sh }',
    'health-probes': `- { name: web, type: http, url: "${service.url}/health" }`,
    'health-count': '3',
    'health-interval': '50ms',
    'incident-assignees': 'alice-oncall',
  });

  it('a good release: preflight, deploy, health check, no incident; a table and a gantt in the summary', async () => {
    const step = await runGitHubStep(github, '.', { with: inputs('v1.0.0') });

    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.result, 'deployed');
    const report = JSON.parse(step.outputs.report!);
    assert.deepEqual(
      report.stages.map((s: { name: string; result: string }) => `${s.name} ${s.result}`),
      ['preflight passed', 'deploy passed', 'health-check passed', 'incident passed'],
    );
    assert.match(step.summary, /### ✅ production v1\.0\.0: deployed/);
    assert.match(step.summary, /\| health-check \| ✅ passed \|/);
    assert.match(step.summary, /```mermaid\ngantt\n {4}title v1\.0\.0: deployed\n {4}dateFormat x\n/);
    assert.match(step.summary, /deploy \([^)]*\) :done, s1, \d+, \d+/);
    assert.equal(github.repo('acme/shop').issues.length, 0);
  });

  it('a bad release: health fails, rolled back and re-verified, an incident opened; the next good one closes it', async () => {
    const bad = await runGitHubStep(github, '.', { with: inputs('v2.0.0-bad') });

    assert.equal(bad.outcome, 'failure');
    assert.equal(bad.outputs.result, 'rolled-back');
    assert.equal(bad.outputs['failed-stage'], 'health-check');
    assert.equal(readFileSync(live, 'utf8').trim(), 'v1.0.0', 'the old release serves again');
    const stages = JSON.parse(bad.outputs.report!).stages.map(
      (s: { name: string; result: string }) => `${s.name} ${s.result}`,
    );
    assert.deepEqual(stages, [
      'preflight passed',
      'deploy passed',
      'health-check failed',
      'rollback passed',
      're-verify passed',
      'incident passed',
    ]);
    assert.match(bad.summary, /health-check \([^)]*\) :crit, s2/);
    const issue = github.repo('acme/shop').issues.at(-1)!;
    assert.equal(bad.outputs['incident-url'], `https://github.com/acme/shop/issues/${issue.number}`);
    assert.equal(
      issue.title,
      'Deploy incident: production v2.0.0-bad failed at health-check, rolled back to v1.0.0',
    );
    assert.deepEqual(issue.assignees, ['alice-oncall']);
    assert.match(issue.body, /❌ Health check failed/);
    assert.match(
      bad.log,
      /::error title=deploy-actions%3A production failed at health-check::v2\.0\.0-bad failed at health-check\. Rolled back: v1\.0\.0 serves again\./,
    );

    const good = await runGitHubStep(github, '.', { with: inputs('v2.0.1') });

    assert.equal(good.outcome, 'success', good.log);
    assert.equal(issue.state, 'closed');
    assert.equal(good.outputs['incident-url'], bad.outputs['incident-url']);
    assertFaithful(github);
  });

  it('a deploy that fails its own verification and is rolled back by the pipeline: no row tells a person to roll back', async () => {
    const verified = {
      ...inputs('v3.0.0-bad'),
      'verify-probes': `- { name: web, type: http, url: "${service.url}/health", interval: 50ms }`,
      incident: 'none',
    };
    const bad = await runGitHubStep(github, '.', { with: verified });
    assert.equal(bad.outputs.result, 'rolled-back', bad.log);
    assert.equal(bad.outputs['failed-stage'], 'deploy');
    const deployStage = JSON.parse(bad.outputs.report!).stages.find(
      (s: { name: string }) => s.name === 'deploy',
    );
    assert.match(
      deployStage.detail,
      /v3\.0\.0-bad is live but not verified: the pipeline recovers \(see its rollback stage\)/,
    );
    assert.doesNotMatch(bad.summary + bad.log, /with the rollback action/);
    assert.equal(readFileSync(live, 'utf8').trim(), 'v2.0.1', 'the last good release serves again');
  });

  it('deploy-actions run: the same pipeline from the CLI, incidents as Markdown files, a timeline on the terminal', async () => {
    const cliDir = mkdtempSync(path.join(tmpdir(), 'pipeline-cli-'));
    const flags = (version: string) => [
      'run',
      '--environment',
      'staging',
      '--version',
      version,
      '--command',
      `echo "$DEPLOY_VERSION" > ${live}`,
      '--state-dir',
      path.join(cliDir, 'state'),
      `--health-probes=- { name: web, type: http, url: "${service.url}/health" }`,
      '--health-count',
      '2',
      '--health-interval',
      '50ms',
      '--incident',
      'file',
      '--incident-dir',
      path.join(cliDir, 'incidents'),
    ];

    const first = await runCli(flags('v1.0.0'));
    const bad = await runCli(flags('v2.0.0-bad'));

    assert.equal(first.code, 0, first.stderr);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /↩️ v2\.0\.0-bad failed at health-check\. Rolled back: v1\.0\.0 serves again\./);
    assert.match(bad.stdout, /\+ +\d+ ms +❌ health-check/);
    const incident = readFileSync(path.join(cliDir, 'incidents', 'incident-1.md'), 'utf8');
    assert.match(incident, /^<!-- deploy-actions:incident environment="staging" -->/);
    assert.match(incident, /rolled back to v1\.0\.0/);

    const status = await runCli([
      'status',
      '--environment',
      'staging',
      '--state-dir',
      path.join(cliDir, 'state'),
    ]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^staging: v1\.0\.0 \(previous: v2\.0\.0-bad\)$/m);
    assert.match(status.stdout, /^lock: free$/m);
    assert.match(
      status.stdout,
      /⛔ v2\.0\.0-bad +bad +deploy .* — health-check failed; rolled back to v1\.0\.0/,
    );
    assert.match(status.stdout, /✅ v1\.0\.0 +good +rollback/);
  });

  it('names a bad stage input by the pipeline input it came from', async () => {
    const step = await runGitHubStep(github, '.', {
      with: { ...inputs('v9'), 'health-count': 'lots', 'preflight-checks': '- { type: nope }' },
    });
    assert.equal(step.outcome, 'failure');
    assert.match(step.log, /Input "preflight-checks": check 1: unknown type "nope"/);
    const assignee = await runGitHubStep(github, '.', {
      with: { ...inputs('v9'), 'incident-assignees': 'alice oncall!' },
    });
    assert.equal(assignee.outcome, 'failure');
    assert.match(assignee.log, /Input "incident-assignees": "oncall!" is not a GitHub login/);
  });
});
