import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { getJson, haproxySite, START_SLOT } from '../fixtures/blue-green-site.ts';
import { startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, runGitHubStep } from '../fixtures/fake-github/steps.ts';
import { startLoad } from '../fixtures/load.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { isRunning } from '../fixtures/test-service.ts';
import { runStep } from '../harness/run-action.ts';

type Site = Awaited<ReturnType<typeof haproxySite>>;

/** The deploy's inputs with promotion: manual; promote and abort take the same, less the version. */
const targetOf = (site: Site) => ({
  environment: 'production',
  command: START_SLOT,
  ...site.target,
  promotion: 'manual',
  'drain-timeout': '1s',
  'stop-command':
    'kill "$(cat "$SLOTS_DIR/$DEPLOY_SLOT.pid")" && echo "stopped $DEPLOY_SLOT ($DEPLOY_VERSION)"',
  'scale-down-delay': '200ms',
  'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health", count: 2, interval: 100ms }',
  'version-url': '{slot_url}/version',
  'state-dir': path.join(site.dir, 'state'),
  attempts: '1',
});

/** The same inputs as CLI flags, for a person (or a second process) at a terminal. */
const flagsOf = (inputs: Record<string, string>) =>
  Object.entries(inputs).map(([name, value]) => `--${name}=${value}`);

describe('blue-green with promotion: manual (behind a real HAProxy)', () => {
  it('a deploy stops once verified on its slot, holding nothing; a second process promotes it; users never see a failed request', async () => {
    const site = await haproxySite('promotion-manual');
    const target = targetOf(site);
    const { env, haproxy, pidOf } = site;
    let users: ReturnType<typeof startLoad> | undefined;
    try {
      // The first release waits too: nobody is served until it is promoted.
      const first = await runStep('deploy', { with: { ...target, version: 'v1.0.0' }, env });
      assert.equal(first.outputs.result, 'paused', first.log);
      const firstPromoted = await runStep('promote', { with: target, env });
      assert.equal(firstPromoted.outputs.result, 'promoted', firstPromoted.log);

      users = startLoad(`${haproxy.url}/api/health`);
      const paused = await runStep('deploy', { with: { ...target, version: 'v2.0.0' }, env });
      assert.equal(paused.exitCode, 0, paused.log);
      assert.equal(paused.outputs.result, 'paused', paused.log);
      // v1.0.0 went into green (HAProxy started on blue, which ran nothing): v2.0.0 goes into blue.
      assert.equal(paused.outputs.slot, 'blue');
      assert.equal(paused.outputs['preview-url'], `http://127.0.0.1:${site.slots.blue}`);
      assert.match(paused.log, /v2\.0\.0 is verified on slot blue and waits for promotion: try it at/);
      assert.match(paused.summary, /### ⏸️ Deploy v2\.0\.0 to production: paused/);
      assert.match(paused.summary, /\| preview \| http:\/\/127\.0\.0\.1:\d+ \|/);
      assert.match(paused.summary, /\| serving now \| green \(unchanged\) \|/);
      assert.match(paused.summary, /\| Check on the slot \(before traffic\) \| ✓/);
      assert.match(paused.summary, /not run yet: no user reaches it until it is promoted/);
      // The preview is the new version; users still reach the old one.
      assert.equal((await getJson(`${paused.outputs['preview-url']}/version`)).version, 'v2.0.0');
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v1.0.0');
      const waiting = site.state().releases.at(-1);
      assert.deepEqual(
        [waiting.version, waiting.status, waiting.slot, waiting.neverLive],
        ['v2.0.0', 'paused', 'blue', true],
      );
      assert.equal(site.state().current, 'v1.0.0');

      // Paused, it holds no lock, and the scheduled scale-down leaves its slot alone.
      const status = await runCli([
        'status',
        '--environment=production',
        `--state-dir=${target['state-dir']}`,
      ]);
      assert.match(status.stdout, /^slot blue: v2\.0\.0 waiting for promotion .*, verified on its slot$/m);
      assert.match(status.stdout, /^lock: free$/m);
      const scaleDown = await runCli(['scale-down', ...flagsOf(target)], env);
      assert.equal(scaleDown.code, 0, scaleDown.stderr);
      assert.ok(isRunning(pidOf('blue')), 'the paused slot still runs');

      const promoted = await runCli(['promote', ...flagsOf(target)], env);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const load = await users.stop();
      users = undefined;

      assert.equal(promoted.code, 0, promoted.stderr);
      assert.match(promoted.stdout, /Promoted v2\.0\.0 on production in .*: users reach it on slot blue/);
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v2.0.0');
      assert.ok(load.ok > 50, `only ${load.ok} requests were served`);
      assert.equal(load.failed, 0, `failed requests: ${load.samples.join('; ')}`);
      const state = site.state();
      assert.equal(state.current, 'v2.0.0');
      assert.equal(state.previous, 'v1.0.0');
      const [pausedRecord, promotion] = state.releases.slice(-2);
      assert.deepEqual([pausedRecord.version, pausedRecord.status], ['v2.0.0', 'paused']);
      assert.deepEqual(
        [promotion.version, promotion.status, promotion.kind, promotion.slot],
        ['v2.0.0', 'good', 'promote', 'blue'],
      );
      // Promoted, the release ended as any other: the old slot goes after scale-down-delay.
      assert.equal(isRunning(pidOf('green')), false, 'green stopped after scale-down-delay');

      // Nothing waits any more: a second promote says so and changes nothing.
      const again = await runCli(['promote', ...flagsOf(target)], env);
      assert.equal(again.code, 2, again.stderr);
      assert.match(
        again.stderr,
        /nothing in production waits for promotion: the newest release is v2\.0\.0 \(good\)/,
      );
    } finally {
      await users?.stop();
      await site.close();
    }
  });

  it('abort stops the paused slot and records it aborted; users never left the old version', async () => {
    const site = await haproxySite('promotion-abort');
    const target = targetOf(site);
    const { env, haproxy, pidOf } = site;
    try {
      await runStep('deploy', { with: { ...target, version: 'v1.0.0' }, env });
      assert.equal((await runStep('promote', { with: target, env })).outputs.result, 'promoted');
      const paused = await runStep('deploy', { with: { ...target, version: 'v2.0.0' }, env });
      assert.equal(paused.outputs.result, 'paused', paused.log);

      const aborted = await runStep('abort', { with: target, env });
      assert.equal(aborted.exitCode, 0, aborted.log);
      assert.deepEqual(
        [aborted.outputs.result, aborted.outputs.version, aborted.outputs.slot, aborted.outputs.stopped],
        ['aborted', 'v2.0.0', 'blue', 'true'],
      );
      assert.match(aborted.log, /stopped blue \(v2\.0\.0\)/);
      assert.match(
        aborted.summary,
        /Aborted v2\.0\.0 on production before promotion: no user reached it, its slot was stopped/,
      );
      assert.equal(isRunning(pidOf('blue')), false);
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v1.0.0');
      const record = site.state().releases.at(-1);
      assert.deepEqual(
        [record.version, record.status, record.stopped, record.neverLive],
        ['v2.0.0', 'aborted', true, true],
      );
      assert.equal(site.state().current, 'v1.0.0');
      // Aborted is no verdict on the version: it may be deployed again.
      assert.equal(record.reason, 'aborted before promotion by octocat');

      const promote = await runStep('promote', { with: target, env });
      assert.equal(promote.exitCode, 1);
      assert.match(
        promote.log,
        /nothing in production waits for promotion: the newest release is v2\.0\.0 \(aborted\)/,
      );
      const again = await runStep('deploy', { with: { ...target, version: 'v2.0.0' }, env });
      assert.equal(again.outputs.result, 'paused', again.log);
    } finally {
      await site.close();
    }
  });

  it('promote checks before it switches: a paused slot that died is refused, nothing switched', async () => {
    const site = await haproxySite('promotion-dead-slot');
    const target = targetOf(site);
    const { env, haproxy, pidOf } = site;
    try {
      await runStep('deploy', { with: { ...target, version: 'v1.0.0' }, env });
      await runStep('promote', { with: target, env });
      assert.equal(
        (await runStep('deploy', { with: { ...target, version: 'v2.0.0' }, env })).outputs.result,
        'paused',
      );
      process.kill(pidOf('blue'));
      await new Promise((resolve) => setTimeout(resolve, 200));

      const promote = await runStep('promote', { with: target, env });
      assert.equal(promote.outputs.result, 'failed', promote.log);
      assert.match(
        promote.log,
        /serves slot green, and slot blue, where v2\.0\.0 waits for promotion, no longer answers: nothing was changed\. To go on, deploy v2\.0\.0 again/,
      );
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v1.0.0');
      assert.equal(site.state().current, 'v1.0.0');
      // The refused promotion switched nothing: the release still waits, and says why it cannot go.
      const retry = await runStep('promote', { with: target, env });
      assert.match(retry.log, /where v2\.0\.0 waits for promotion, no longer answers/);
      // Not the version's fault: it is not marked bad, and deploying it again works.
      assert.equal(
        site.state().releases.some((r: { status: string }) => r.status === 'bad'),
        false,
      );
      const again = await runStep('deploy', { with: { ...target, version: 'v2.0.0' }, env });
      assert.equal(again.outputs.result, 'paused', again.log);
    } finally {
      await site.close();
    }
  });

  it('the root action (the whole pipeline) pauses too: no public health check before promotion, no incident, preview-url set', async () => {
    const site = await haproxySite('promotion-pipeline');
    const { 'verify-probes': probes, ...target } = targetOf(site);
    const { env, haproxy } = site;
    try {
      const step = await runStep('.', {
        with: {
          ...target,
          version: 'v1.0.0',
          'verify-probes': probes,
          'health-probes': `- { name: public, type: http, url: "${haproxy.url}/api/health" }`,
          'health-interval': '50ms',
        },
        env,
      });
      assert.equal(step.outcome, 'success', step.log);
      assert.equal(step.outputs.result, 'paused');
      assert.equal(step.outputs['preview-url'], `http://127.0.0.1:${site.slots.green}`);
      const stages = JSON.parse(step.outputs.report!).stages.map(
        (s: { name: string; result: string }) => `${s.name} ${s.result}`,
      );
      assert.deepEqual(stages, ['deploy paused']);
      assert.match(step.summary, /### ⏸️ production v1\.0\.0: paused/);
    } finally {
      await site.close();
    }
  });

  it('a rollback never waits for promotion: it switches back to the warm slot at once', async () => {
    const site = await haproxySite('promotion-rollback');
    const target = { ...targetOf(site), 'stop-command': '', 'scale-down-delay': '' };
    const { env, haproxy } = site;
    try {
      for (const version of ['v1.0.0', 'v2.0.0']) {
        assert.equal(
          (await runStep('deploy', { with: { ...target, version }, env })).outputs.result,
          'paused',
        );
        assert.equal((await runStep('promote', { with: target, env })).outputs.result, 'promoted');
      }
      const back = await runStep('rollback', { with: { ...target, 'to-version': 'v1.0.0' }, env });
      assert.equal(back.outputs.result, 'rolled-back', back.log);
      assert.match(back.log, /switching back to it at once/);
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v1.0.0');
    } finally {
      await site.close();
    }
  });
});

describe('promotion: manual with the record in GitHub Deployments (the fake GitHub, a real HAProxy)', () => {
  it('the paused release is an inactive deployment that holds nothing; a later run promotes it, recorded as its own deployment', async () => {
    const github = await startFakeGitHub({ repos: ['acme/shop'] });
    const site = await haproxySite('promotion-github');
    const repo = github.repo('acme/shop');
    const target = { ...targetOf(site), backend: 'github' };
    let run = 7100;
    /** Each step in a workflow run of its own, ended when it ends (as jobs' runs are). */
    const step = async (action: string, inputs: Record<string, string>) => {
      const id = run++;
      repo.runs.set(id, 'in_progress');
      const result = await runGitHubStep(github, action, {
        with: inputs,
        env: { ...site.env, GITHUB_RUN_ID: String(id) },
      });
      repo.runs.set(id, 'completed');
      return result;
    };
    const newest = () =>
      repo.deployments.filter((d) => d.payload.version === 'v2.0.0' && d.task === 'deploy').at(-1)!;
    try {
      assert.equal((await step('deploy', { ...target, version: 'v1.0.0' })).outputs.result, 'paused');
      assert.equal((await step('promote', target)).outputs.result, 'promoted');
      const paused = await step('deploy', { ...target, version: 'v2.0.0' });
      assert.equal(paused.outputs.result, 'paused', paused.log);
      const status = newest().statuses.at(-1)!;
      assert.equal(status.state, 'inactive');
      assert.match(
        status.description,
        /^paused \[slot blue, never live\]: v2\.0\.0 verified on its slot, waiting for promotion$/,
      );

      const promoted = await step('promote', target);
      assert.equal(promoted.outputs.result, 'promoted', promoted.log);
      assert.equal((await getJson(`${site.haproxy.url}/version`)).version, 'v2.0.0');
      // The promote's turn was queued before it read which version waits; the release it then
      // made is a deployment of its own (a later scale-down turn may follow it).
      const promotion = repo.deployments.findLast(
        (d) => d.task === 'deploy:promote' && d.payload.version === 'v2.0.0',
      )!;
      const turn = repo.deployments.findLast((d) => d.task === 'deploy:promote' && d.id < promotion.id)!;
      assert.equal(turn.payload.version, '');
      assert.equal(
        turn.statuses.at(-1)!.description,
        `skipped: the turn of a promote; v2.0.0 is recorded as deployment ${promotion.id}`,
      );
      assert.equal(promotion.statuses.at(-1)!.state, 'success');
      assert.equal(newest().statuses.find((s) => s.description.startsWith('paused'))?.state, 'inactive');
      assertFaithful(github);
    } finally {
      await site.close();
      await github.close();
    }
  });
});

describe('promote and abort refuse what they cannot do, naming the input', () => {
  it('in place there is no slot to wait on; neither has a dry run; nothing is written', async () => {
    const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'promotion-refused-')), 'state');
    const base = ['--environment=production', '--command=true', `--state-dir=${stateDir}`];
    for (const control of ['promote', 'abort']) {
      const inPlace = await runCli([control, ...base]);
      assert.equal(inPlace.code, 2, inPlace.stderr);
      assert.match(
        inPlace.stderr,
        new RegExp(
          `strategy: ${control} acts on a release paused on its slot \\(blue-green with promotion: manual, or a canary at pause: \\{\\}\\)`,
        ),
      );
      const dry = await runCli([control, ...base, '--dry-run']);
      assert.equal(dry.code, 2, dry.stderr);
      assert.match(dry.stderr, new RegExp(`dry-run: ${control} has no dry run`));
    }
    assert.equal(existsSync(stateDir), false, 'a refusal writes nothing');
  });
});
