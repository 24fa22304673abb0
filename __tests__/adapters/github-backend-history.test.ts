import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LockTimeoutError } from '../../src/clients/file-deploy-lock.ts';
import { createGitHubClient } from '../../src/github/github-client.ts';
import { GitHubReleaseBackend } from '../../src/github/github-release-backend.ts';
import { FakeClock } from '../fixtures/fake-clock.ts';
import { type FakeGitHub, FULL_TOKEN, startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, runGitHubStep } from '../fixtures/fake-github/steps.ts';
import { recordingLogger } from '../fixtures/recording-logger.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';

/** GitHub Deployments as state and lock when the environment has more than our own deployments. */
describe('backend github: history beyond the newest 30, twins of retried creates, the request budget', () => {
  let github: FakeGitHub;
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-history-'));
  before(async () => {
    github = await startFakeGitHub({ repos: ['acme/shop'] });
  });
  after(() => github.close());

  let runId = 7000;
  const step = (action: 'deploy' | 'rollback', environment: string, inputs: Record<string, string>) => {
    const id = String(runId++);
    github.repo('acme/shop').runs.set(Number(id), 'in_progress');
    return runGitHubStep(github, action, {
      env: { GITHUB_RUN_ID: id },
      with: {
        environment,
        backend: 'github',
        'state-dir': mkdtempSync(path.join(dir, 'runner-')),
        command: 'true',
        'retry-wait': '50ms',
        'lock-poll-interval': '200ms',
        ...inputs,
      },
    });
  };
  /** A deployment another tool made (GitHub Actions makes one for every job with `environment:`). */
  const foreign = async (environment: string) => {
    const call = (route: string, body: unknown) =>
      fetch(`${github.url}${route}`, {
        method: 'POST',
        headers: { authorization: `token ${FULL_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ id: number }>);
    const { id } = await call('/repos/acme/shop/deployments', {
      ref: SHA,
      environment,
      auto_merge: false,
      required_contexts: [],
    });
    await call(`/repos/acme/shop/deployments/${id}/statuses`, { state: 'success' });
  };

  it('30 foreign deployments after ours: the current version, the bad mark and the rollback target are still known', async () => {
    assert.equal((await step('deploy', 'busy', { version: 'v1' })).outputs.result, 'deployed');
    assert.equal((await step('deploy', 'busy', { version: 'v2' })).outputs.result, 'deployed');
    assert.equal((await step('rollback', 'busy', { 'to-version': 'v1' })).outputs.result, 'rolled-back');
    for (let i = 0; i < 30; i++) await foreign('busy');

    const again = await step('deploy', 'busy', { version: 'v2' });
    assert.equal(again.outcome, 'failure', 'v2 is still marked bad');
    assert.match(again.log, /v2 is marked bad/);
    const repeat = await step('deploy', 'busy', { version: 'v1' });
    assert.equal(repeat.outputs.result, 'unchanged', repeat.log);
    assert.equal(repeat.outputs['previous-version'], 'v1');
    assertFaithful(github);
  });

  it('29 no-op deploys (each a skipped deployment) do not push the history out of sight', async () => {
    assert.equal((await step('deploy', 'quiet', { version: 'v1' })).outputs.result, 'deployed');
    for (let i = 0; i < 29; i++) {
      const repo = github.repo('acme/shop');
      const skipped = structuredClone(repo.deployments.filter((d) => d.environment === 'quiet').at(-1)!);
      repo.deployments.push({
        ...skipped,
        id: 900_000 + i,
        statuses: [
          {
            ...skipped.statuses[0]!,
            id: 1,
            state: 'queued',
            description: 'waiting for older deploys of this environment',
          },
          { ...skipped.statuses[0]!, id: 2, state: 'inactive', description: 'skipped: nothing was deployed' },
        ],
      });
    }
    const repeat = await step('deploy', 'quiet', { version: 'v1' });
    assert.equal(repeat.outputs.result, 'unchanged', repeat.log);
  });

  it('a create that GitHub did but answered 502: the retry does not wait on its own twin', async () => {
    github.failNext('POST /repos/{owner}/{repo}/deployments', { status: 502, afterDoing: true });
    const result = await step('deploy', 'twins', { version: 'v1', 'lock-timeout': '20s' });
    assert.equal(result.outcome, 'success', result.log);
    const [twin, real] = github.repo('acme/shop').deployments.filter((d) => d.environment === 'twins');
    assert.ok(twin && real, 'the retried create made two deployments');
    assert.equal(twin.statuses.at(-1)!.state, 'error');
    assert.match(
      twin.statuses.at(-1)!.description ?? '',
      /^skipped: abandoned, it is a twin of deployment \d+/,
    );
    assert.equal(real.statuses.at(-1)!.state, 'success');
  });

  it('a create that GitHub did but answered with HTML (a proxy, GHES maintenance): found by its nonce, nothing left blocking', async () => {
    github.failNext('POST /repos/{owner}/{repo}/deployments', {
      status: 200,
      raw: '<html><body>Service temporarily unavailable</body></html>',
      afterDoing: true,
    });
    const result = await step('deploy', 'html-create', { version: 'v1', 'lock-timeout': '20s' });
    assert.equal(result.outcome, 'success', result.log);
    assert.match(result.log, /GitHub made deployment \d+ but its answer could not be read/);
    const made = github.repo('acme/shop').deployments.filter((d) => d.environment === 'html-create');
    assert.equal(made.length, 1);
    assert.equal(made[0]!.statuses.at(-1)!.state, 'success', 'the one deployment carries the release');
    const next = await step('deploy', 'html-create', { version: 'v2', 'lock-timeout': '5s' });
    assert.equal(next.outputs.result, 'deployed', `nothing blocks the next deploy: ${next.log}`);
  });

  it("the pipeline's own rollback is recorded as deploy:rollback; a refused deploy never claims to be deploying", async () => {
    const live = path.join(dir, 'pipeline-live');
    const pipeline = (version: string) => {
      const id = String(runId++);
      github.repo('acme/shop').runs.set(Number(id), 'in_progress');
      return runGitHubStep(github, '.', {
        env: { GITHUB_RUN_ID: id },
        with: {
          environment: 'piped',
          version,
          backend: 'github',
          'state-dir': mkdtempSync(path.join(dir, 'runner-')),
          command: `echo "$DEPLOY_VERSION" > ${live}`,
          'health-probes': `- { name: live, type: command, run: "! grep -q bad ${live}" }`,
          'health-count': '1',
          incident: 'none',
          'lock-poll-interval': '200ms',
        },
      });
    };
    assert.equal((await pipeline('v1')).outputs.result, 'deployed');
    const bad = await pipeline('v2-bad');
    assert.equal(bad.outputs.result, 'rolled-back', bad.log);
    const refused = await pipeline('v2-bad');
    assert.equal(refused.outputs['failed-stage'], 'deploy');
    const tasks = github
      .repo('acme/shop')
      .deployments.filter((d) => d.environment === 'piped')
      .map((d) => `${d.task} ${d.payload.version} ${d.statuses.map((st) => st.state).join('>')}`);
    // (GitHub marks an older success of a non-production environment inactive itself: auto_inactive.)
    assert.deepEqual(tasks, [
      'deploy v1 queued>in_progress>in_progress>success>inactive',
      'deploy v2-bad queued>in_progress>in_progress>success>failure',
      'deploy:rollback v1 in_progress>in_progress>success',
      'deploy v2-bad queued>inactive',
    ]);
  });

  it('GitHub answers 500 to the final status: the step says deployed, and that it could not be recorded', async () => {
    // queued, deploying and live go through; "success" fails, retries included.
    github.failNext('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { status: 500 }, 4, 3);
    const result = await step('deploy', 'unrecorded', { version: 'v1' });
    assert.equal(result.outcome, 'failure');
    assert.equal(result.outputs.result, 'deployed', 'the release happened');
    assert.match(result.log, /Deployed v1 to unrecorded .* It could not be recorded \(.*500/);
    const [deployment] = github.repo('acme/shop').deployments.filter((d) => d.environment === 'unrecorded');
    assert.match(
      deployment!.statuses.at(-1)!.description ?? '',
      /^live: v1/,
      'GitHub still says live, unverified: never "failed", never "good"',
    );
  });

  it('waiting an hour behind a live holder stays within a GITHUB_TOKEN budget of 1,000 requests, whatever the history', async () => {
    const { logger } = recordingLogger();
    const repo = github.repo('acme/shop');
    // 29 earlier releases, finished (as many as fit GitHub's old default page): each costs a waiter nothing.
    for (let i = 0; i < 29; i++)
      repo.deployments.push({
        id: 800_000 + i,
        ref: SHA,
        sha: SHA,
        task: 'deploy',
        payload: { 'deploy-actions': 1, version: `v${i}`, kind: 'deploy', host: 'ci', pid: 1 },
        environment: 'budget',
        description: '',
        transient_environment: false,
        production_environment: false,
        created_at: '2026-11-24T10:00:00Z',
        statuses: [
          {
            id: 1,
            state: 'success',
            description: `good: v${i} deployed and verified`,
            environment: 'budget',
            environment_url: '',
            log_url: '',
            created_at: '2026-11-24T10:00:00Z',
          },
        ],
      });
    repo.runs.set(31337, 'in_progress');
    const holder = new GitHubReleaseBackend({
      api: createGitHubClient({ token: FULL_TOKEN, baseUrl: github.url, logger }),
      repository: { owner: 'acme', repo: 'shop' },
      logger,
      clock: new FakeClock(),
      run: { runId: '31337', runAttempt: '1', host: hostname(), pid: process.pid },
      ref: SHA,
    });
    await holder.begin(
      'budget',
      { pid: process.pid, host: hostname() },
      { timeoutMs: 1000, plan: { kind: 'deploy', version: 'v-holder' } },
    );

    const clock = new FakeClock();
    const waiter = new GitHubReleaseBackend({
      api: createGitHubClient({ token: FULL_TOKEN, baseUrl: github.url, logger }),
      repository: { owner: 'acme', repo: 'shop' },
      logger,
      clock,
      run: { runId: '31338', runAttempt: '1', host: hostname(), pid: process.pid },
      ref: SHA,
      pollMs: 5000,
    });
    repo.runs.set(31338, 'in_progress');
    const before = github.requests.length;
    const started = clock.now();
    await assert.rejects(
      waiter.begin(
        'budget',
        { pid: process.pid, host: hostname() },
        { timeoutMs: 3_600_000, plan: { kind: 'deploy', version: 'v-waiter' } },
      ),
      LockTimeoutError,
    );
    const requests = github.requests.length - before;
    const hours = (clock.now() - started) / 3_600_000;
    assert.ok(hours >= 1, `waited ${hours} h`);
    assert.ok(requests / hours <= 1000, `${requests} requests in ${hours.toFixed(2)} h of waiting`);
    assert.ok(
      requests / hours <= 400,
      `${requests} requests an hour: the budget leaves room for the rest of the workflow`,
    );
  });

  for (const crowd of [150, 1000])
    it(`a live holder behind ${crowd} newer deployments of other tools still holds: the queue is read past page 1, within the budget`, async () => {
      const { logger } = recordingLogger();
      const environment = `crowded-${crowd}`;
      const repo = github.repo('acme/shop');
      const backend = (runId: number, clock = new FakeClock()) => {
        repo.runs.set(runId, 'in_progress');
        return new GitHubReleaseBackend({
          api: createGitHubClient({ token: FULL_TOKEN, baseUrl: github.url, logger }),
          repository: { owner: 'acme', repo: 'shop' },
          logger,
          clock,
          run: { runId: String(runId), runAttempt: '1', host: hostname(), pid: process.pid },
          ref: SHA,
          pollMs: 5000,
        });
      };
      await backend(41_000 + crowd).begin(
        environment,
        { pid: process.pid, host: hostname() },
        { timeoutMs: 1000, plan: { kind: 'deploy', version: 'v-holder' } },
      );
      // GitHub Actions makes a deployment for every job with `environment:` (a matrix, another tool).
      for (let i = 0; i < crowd; i++)
        await fetch(`${github.url}/repos/acme/shop/deployments`, {
          method: 'POST',
          headers: { authorization: `token ${FULL_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ref: SHA, environment, auto_merge: false, required_contexts: [] }),
        });

      const clock = new FakeClock();
      const before = github.requests.length;
      const started = clock.now();
      await assert.rejects(
        backend(42_000 + crowd, clock).begin(
          environment,
          { pid: process.pid, host: hostname() },
          { timeoutMs: 3_600_000, plan: { kind: 'deploy', version: 'v-waiter' } },
        ),
        LockTimeoutError,
        'the holder is seen, however many deployments stand in front of it',
      );
      const requests = github.requests.length - before;
      const hours = (clock.now() - started) / 3_600_000;
      console.log(`${crowd} foreign deployments in front: ${requests} requests in an hour of waiting`);
      assert.ok(hours >= 1);
      assert.ok(
        requests <= 400,
        `${requests} requests an hour: within a GITHUB_TOKEN's budget, with room to spare`,
      );
    });
});
