import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FakeDeployment } from '../fixtures/fake-github/repository.ts';
import { type FakeGitHub, startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, runGitHubStep } from '../fixtures/fake-github/steps.ts';
import { startVersionedService } from '../fixtures/versioned-service.ts';
import { runPostStep, type StepOptions } from '../harness/run-action.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';

/**
 * Runners that share no disk: every deploy gets a fresh state-dir, so all they share is GitHub.
 * The "server" is a file holding the running version, served by a real HTTP service.
 */
describe('deploy and rollback with backend: github (GitHub Deployments as state and lock)', () => {
  let github: FakeGitHub;
  let service: Awaited<ReturnType<typeof startVersionedService>>;
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-backend-'));
  const live = path.join(dir, 'live-version');
  before(async () => {
    github = await startFakeGitHub({ repos: ['acme/shop'] });
    service = await startVersionedService(live);
  });
  after(async () => {
    await github.close();
    await service.close();
  });

  let runId = 5000;
  /** A deploy (or rollback) from a runner with an empty disk, in its own workflow run. */
  const step = (
    action: 'deploy' | 'rollback',
    environment: string,
    inputs: Record<string, string>,
    extra: StepOptions = {},
  ) => {
    const id = String(runId++);
    github.repo('acme/shop').runs.set(Number(id), 'in_progress');
    return runGitHubStep(github, action, {
      ...extra,
      env: { GITHUB_RUN_ID: id, ...extra.env },
      with: {
        environment,
        backend: 'github',
        'state-dir': mkdtempSync(path.join(dir, 'runner-')),
        command: `echo "$DEPLOY_VERSION" > ${live}`,
        'verify-probes': `- { name: health, type: http, url: "${service.url}/health", interval: 50ms, count: 2 }`,
        'environment-url': 'https://shop.example.com',
        'retry-wait': '50ms',
        'lock-poll-interval': '200ms',
        ...inputs,
      },
    });
  };
  const deployments = (environment: string) =>
    github.repo('acme/shop').deployments.filter((d) => d.environment === environment);
  const states = (d: FakeDeployment) => d.statuses.map((s) => s.state);

  it('records a deploy as a deployment with statuses queued → in_progress (deploying, then live) → success', async () => {
    const result = await step('deploy', 'production', { version: 'v1.0.0' });

    assert.equal(result.outcome, 'success', result.log);
    assert.equal(result.outputs.result, 'deployed');
    const [deployment] = deployments('production');
    assert.ok(deployment);
    assert.equal(deployment.ref, SHA);
    assert.equal(deployment.task, 'deploy');
    assert.equal(deployment.production_environment, true);
    assert.equal(deployment.transient_environment, false);
    assert.equal(deployment.payload.version, 'v1.0.0');
    assert.equal(deployment.payload.actor, 'octocat');
    assert.deepEqual(states(deployment), ['queued', 'in_progress', 'in_progress', 'success']);
    assert.deepEqual(
      deployment.statuses.slice(1, 3).map((s) => s.description),
      ['deploying v1.0.0', 'live: v1.0.0 switched to, verifying'],
    );
    const success = deployment.statuses.at(-1)!;
    assert.equal(success.environment_url, 'https://shop.example.com');
    assert.match(success.log_url, /^https:\/\/github\.com\/acme\/shop\/actions\/runs\/\d+$/);
    const created = JSON.parse(
      github.requests.find((r) => r.route === 'POST /repos/{owner}/{repo}/deployments')!.body,
    );
    assert.equal(created.auto_merge, false);
    assert.deepEqual(created.required_contexts, []);
    assertFaithful(github);
  });

  it('reads the current version back from GitHub on a runner that lost its disk; a repeat changes nothing', async () => {
    const second = await step('deploy', 'production', { version: 'v2.0.0' });
    const repeat = await step('deploy', 'production', { version: 'v2.0.0' });

    assert.equal(second.outputs['previous-version'], 'v1.0.0', 'known only from GitHub');
    assert.equal(repeat.outputs.result, 'unchanged', repeat.log);
    const all = deployments('production');
    const noOp = all.at(-1)!;
    // A no-op never claims to be deploying anything.
    assert.deepEqual(states(noOp), ['queued', 'inactive']);
    assert.match(noOp.statuses.at(-1)!.description, /^skipped: nothing was deployed/);
    assert.deepEqual(states(all.at(-2)!), ['queued', 'in_progress', 'in_progress', 'success']);
  });

  it('a broken release fails verification; rollback marks it bad and records the restored version', async () => {
    const broken = await step('deploy', 'production', { version: 'v3.0.0-bad' });
    const before = github.requests.length;
    const rollback = await step('rollback', 'production', {});
    const rollbackRequests = github.requests.slice(before);
    const again = await step('deploy', 'production', { version: 'v3.0.0-bad' });

    assert.equal(broken.outcome, 'failure');
    const [bad, turn, restored] = deployments('production').slice(-4);
    // The rollback queued its turn before reading anything (the record is read once, under the
    // lock); its release, whose version it learnt then, is a deployment of its own.
    assert.equal(rollbackRequests[0]?.route, 'POST /repos/{owner}/{repo}/deployments');
    assert.equal(turn!.task, 'deploy:rollback');
    assert.equal(turn!.payload.version, '');
    assert.equal(turn!.statuses.at(-1)!.state, 'inactive');
    assert.equal(
      turn!.statuses.at(-1)!.description,
      `skipped: the turn of a rollback; v2.0.0 is recorded as deployment ${restored!.id}`,
    );
    assert.equal(bad!.payload.version, 'v3.0.0-bad');
    assert.equal(bad!.statuses.at(-2)!.description.startsWith('failed (live): verification failed'), true);
    assert.equal(rollback.outcome, 'success', rollback.log);
    assert.equal(rollback.outputs['from-version'], 'v3.0.0-bad');
    assert.equal(rollback.outputs['to-version'], 'v2.0.0');
    assert.equal(bad!.statuses.at(-1)!.state, 'failure');
    assert.match(bad!.statuses.at(-1)!.description, /^bad: rolled back to v2\.0\.0/);
    assert.equal(restored!.task, 'deploy:rollback');
    assert.equal(restored!.payload.version, 'v2.0.0');
    // Created once the turn came: never queued.
    assert.deepEqual(states(restored!), ['in_progress', 'in_progress', 'success']);
    assert.equal(readFileSync(live, 'utf8').trim(), 'v2.0.0');
    assert.equal(again.outcome, 'failure');
    assert.match(again.log, /v3\.0\.0-bad is marked bad \(rolled back to v2\.0\.0/);
    assertFaithful(github);
  });

  it('three deploys from three runners arriving together all run, one at a time, in creation order', async () => {
    const log = path.join(dir, 'order.log');
    const gate = path.join(dir, 'queue-gate');
    // The first to get the lock holds it until all three are queued: on a slow (cold) machine the
    // first could otherwise finish before the others arrive, and nobody would have waited.
    const command = `echo "start $DEPLOY_VERSION" >> ${log}; while [ ! -e ${gate} ]; do sleep 0.02; done; echo "end $DEPLOY_VERSION" >> ${log}; echo "$DEPLOY_VERSION" > ${live}`;

    const running = Promise.all(
      ['v1', 'v2', 'v3'].map((version) => step('deploy', 'queue', { version, command, 'verify-probes': '' })),
    );
    while (deployments('queue').length < 3) await new Promise((r) => setTimeout(r, 20));
    writeFileSync(gate, '');
    const results = await running;

    for (const result of results) assert.equal(result.outcome, 'success', result.log);
    const order = deployments('queue').map((d) => d.payload.version);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.deepEqual(
      lines,
      order.flatMap((v) => [`start ${v}`, `end ${v}`]),
      'never overlapping, in queue order',
    );
    // GitHub marks a non-production environment's older successes inactive (auto_inactive).
    for (const d of deployments('queue'))
      assert.deepEqual(states(d).slice(0, 4), ['queued', 'in_progress', 'in_progress', 'success']);
    assert.ok(results.some((r) => /Waiting for the queue lock/.test(r.log)));
  });

  it("breaks a holder whose workflow run has ended, and waits (then gives up, clearly) for one that hasn't", async () => {
    const repo = github.repo('acme/shop');
    const holder = (run: number, status: string) => {
      repo.runs.set(run, status);
      repo.deployments.push({
        id: run,
        ref: SHA,
        sha: SHA,
        task: 'deploy',
        environment: `held-${run}`,
        description: '',
        transient_environment: false,
        production_environment: false,
        created_at: '2026-11-24T10:00:00Z',
        payload: {
          'deploy-actions': 1,
          version: 'v0',
          kind: 'deploy',
          runId: String(run),
          actor: 'mallory',
          host: 'gone',
          pid: 1,
        },
        statuses: [
          {
            id: 1,
            state: 'in_progress',
            description: 'deploying v0',
            environment: `held-${run}`,
            environment_url: '',
            log_url: '',
            created_at: '2026-11-24T10:00:00Z',
          },
        ],
      });
      return repo.deployments.at(-1)!;
    };
    const ended = holder(11, 'completed');
    const running = holder(12, 'in_progress');

    const proceeds = await step('deploy', 'held-11', { version: 'v1', 'verify-probes': '' });
    const waits = await step('deploy', 'held-12', {
      version: 'v1',
      'verify-probes': '',
      'lock-timeout': '1s',
    });

    assert.equal(proceeds.outcome, 'success', proceeds.log);
    assert.match(proceeds.log, /abandoned: its workflow run 11 has ended; marking it error/);
    assert.equal(ended.statuses.at(-1)!.state, 'error');
    assert.equal(waits.outcome, 'failure');
    assert.match(
      waits.log,
      /"held-12" is still locked after 1\.0 s by deployment 12 \(mallory, pid 1 on gone/,
    );
    assert.equal(running.statuses.at(-1)!.state, 'in_progress', 'a live holder is left alone');
    const gaveUp = deployments('held-12').at(-1)!;
    assert.match(gaveUp.statuses.at(-1)!.description, /^skipped: gave up waiting for the lock/);
  });

  it('a main step killed while deploying: the post step marks its deployment interrupted and live (unverified)', async () => {
    const main = await step(
      'deploy',
      'killed',
      { version: 'v1', command: 'echo started; sleep 60', 'verify-probes': '' },
      { killWhen: /^started$/ },
    );

    assert.equal(main.outcome, 'cancelled');
    const post = await runPostStep('deploy', main);
    assert.equal(post.outcome, 'success', post.log);
    const [deployment] = deployments('killed');
    assert.deepEqual(states(deployment!), ['queued', 'in_progress', 'error']);
    assert.match(
      deployment!.statuses.at(-1)!.description,
      /^interrupted \(live\): the deploy step was killed/,
    );
    assert.ok(!existsSync(path.join(dir, 'nothing')));
  });

  it('refuses a bad backend setup by name', async () => {
    for (const [inputs, message] of [
      [{ backend: 'redis' }, /Input "backend": use file or github/],
      [{ repository: 'nope' }, /Input "repository": "nope" is not owner\/name/],
      [{ 'lock-poll-interval': '10ms' }, /Input "lock-poll-interval": must be at least 100ms/],
      [{ 'environment-url': 'not a url' }, /Input "environment-url": "not a url" is not a URL/],
    ] as const) {
      const result = await step('deploy', 'bad-input', { version: 'v1', ...inputs });
      assert.equal(result.outcome, 'failure');
      assert.match(result.log, message);
    }
    assert.equal(deployments('bad-input').length, 0);
  });
});
