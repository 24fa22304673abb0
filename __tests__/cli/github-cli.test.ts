import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeGitHub, FULL_TOKEN, startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful } from '../fixtures/fake-github/steps.ts';
import { runCli } from '../fixtures/run-cli.ts';

describe('CLI: incident and GitHub Deployments, from Jenkins or a laptop', () => {
  let github: FakeGitHub;
  let env: Record<string, string>;
  before(async () => {
    github = await startFakeGitHub({ repos: ['acme/shop'] });
    env = {
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: FULL_TOKEN,
      GITHUB_REPOSITORY: 'acme/shop',
      BUILD_URL: 'https://jenkins.example.com/job/shop/42/',
    };
  });
  after(() => github.close());

  it('opens an incident with the Jenkins build as the run link, then resolves it', async () => {
    const opened = await runCli(
      ['incident', '--environment', 'production', '--version', 'v3', '--stage', 'deploy', '--json'],
      env,
    );
    const resolved = await runCli(
      ['incident', '--mode', 'resolve', '--environment', 'production', '--version', 'v4'],
      env,
    );

    assert.equal(opened.code, 0, opened.stderr);
    const report = JSON.parse(opened.stdout);
    assert.equal(report.action, 'opened');
    const issue = github.repo('acme/shop').issues.find((i) => i.number === report.number)!;
    assert.match(issue.body, /\| Run \| https:\/\/jenkins\.example\.com\/job\/shop\/42\/ \|/);
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.match(resolved.stdout, /closed: https:\/\/github\.com\/acme\/shop\/issues\/\d+/);
    assert.equal(issue.state, 'closed');
    assert.ok(!opened.stdout.includes(FULL_TOKEN) && !opened.stderr.includes(FULL_TOKEN));
    assertFaithful(github);
  });

  it('deploys with backend github: the deployment names this host and the Jenkins build', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'cli-gh-'));
    const sha = 'fedcba9876543210fedcba9876543210fedcba98';
    const args = [
      '--backend',
      'github',
      '--environment',
      'cli-prod',
      '--command',
      'true',
      '--state-dir',
      stateDir,
    ];

    const first = await runCli(['deploy', '--version', 'v1', ...args], { ...env, GITHUB_SHA: sha });
    const repeat = await runCli(['deploy', '--version', 'v1', ...args, '--json'], {
      ...env,
      GITHUB_SHA: sha,
    });
    const noSha = await runCli(['deploy', '--version', 'v1', ...args], env);

    assert.equal(first.code, 0, first.stderr);
    const [deployment] = github.repo('acme/shop').deployments.filter((d) => d.environment === 'cli-prod');
    assert.equal(deployment!.ref, sha);
    assert.equal(deployment!.payload.host, hostname());
    assert.equal(deployment!.payload.runUrl, 'https://jenkins.example.com/job/shop/42/');
    assert.equal(deployment!.statuses.at(-1)!.state, 'success');
    assert.equal(JSON.parse(repeat.stdout).result, 'unchanged');
    const status = await runCli(
      ['status', '--backend', 'github', '--environment', 'cli-prod', '--json'],
      env,
    );
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout);
    assert.equal(report.current, 'v1');
    assert.equal(report.lock, undefined);
    assert.deepEqual(
      report.releases.map((r: { status: string }) => r.status),
      ['good'],
    );
    assert.equal(noSha.code, 2);
    assert.match(noSha.stderr, /--ref: is needed with backend: github/);
    assertFaithful(github);
  });

  it('without a token: incident exits 2 naming the input and the variable; run writes Markdown incidents', async () => {
    const result = await runCli(['incident', '--environment', 'production'], {
      GITHUB_REPOSITORY: 'acme/shop',
    });

    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /--github-token: is needed: pass a token \(or set GITHUB_TOKEN for the CLI\)/,
    );
    const stateDir = mkdtempSync(path.join(tmpdir(), 'no-token-'));
    const flags = [
      'run',
      '--environment',
      'production',
      '--command',
      'exit 1',
      '--attempts',
      '1',
      '--state-dir',
      stateDir,
    ];
    const run = await runCli([...flags, '--version', 'v1']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /No GitHub token: incidents go to Markdown files in .*incidents/);
    assert.match(
      readFileSync(path.join(stateDir, 'incidents', 'incident-1.md'), 'utf8'),
      /production v1 failed at deploy/,
    );
    const chosen = await runCli([...flags, '--version', 'v2', '--incident', 'github']);
    assert.equal(chosen.code, 2);
    assert.match(
      chosen.stderr,
      /--github-token: is needed: .* for incident: github, or pass --incident=file/,
    );
  });
});
