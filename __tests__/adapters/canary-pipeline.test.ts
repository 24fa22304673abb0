import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson, SERVICE, START_SLOT } from '../fixtures/blue-green-site.ts';
import { canaryAnalysis } from '../fixtures/canary-analysis.ts';
import { type FakeGitHub, startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, runGitHubStep } from '../fixtures/fake-github/steps.ts';
import { type Haproxy, startHaproxy } from '../fixtures/haproxy.ts';
import { startLoad } from '../fixtures/load.ts';
import { type PrometheusServer, startPrometheus } from '../fixtures/prometheus.ts';
import { freePort } from '../fixtures/test-service.ts';

/**
 * The whole pipeline (the root action) with strategy canary, against the fake GitHub: a paused
 * canary says so in the outputs, and an aborted one opens an incident that carries its analysis.
 */
describe('the root action with strategy canary: outputs and the incident', () => {
  let github: FakeGitHub;
  let haproxy: Haproxy;
  let prometheus: PrometheusServer;
  let slots: { blue: number; green: number };
  const dir = mkdtempSync(path.join(tmpdir(), 'canary-pipeline-'));
  before(async () => {
    github = await startFakeGitHub({ repos: ['acme/shop'] });
    github.repo('acme/shop').collaborators.set('alice-oncall', 'write');
    slots = { blue: await freePort(), green: await freePort() };
    haproxy = await startHaproxy(slots, 'blue');
    prometheus = await startPrometheus([haproxy.metricsUrl]);
  });
  after(async () => {
    await prometheus?.close();
    await haproxy?.close();
    await github?.close();
    for (const slot of ['blue', 'green'])
      try {
        process.kill(Number(readFileSync(path.join(dir, `${slot}.pid`), 'utf8')));
      } catch {
        // not started, or stopped
      }
  });

  const inputs = (version: string, steps: string) => ({
    environment: 'production',
    version,
    command: START_SLOT,
    strategy: 'canary',
    slots: `{ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
    'haproxy-socket': haproxy.socket,
    'haproxy-backend': haproxy.backend,
    'drain-timeout': '1s',
    'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health", count: 2, interval: 100ms }',
    'state-dir': path.join(dir, 'state'),
    attempts: '1',
    'health-probes': `- { name: web, type: http, url: "${haproxy.url}/api/health" }`,
    'health-count': '2',
    'health-interval': '100ms',
    'incident-assignees': 'alice-oncall',
    'canary-steps': steps,
    'canary-analysis': canaryAnalysis(prometheus.url, '[{ template: error-ratio, max: 5% }]'),
  });
  const run = (version: string, steps = '[{set-weight: 20}, {pause: 3s}]') =>
    runGitHubStep(github, '.', {
      with: inputs(version, steps),
      env: { SLOTS_DIR: dir, SERVICE },
      hardTimeoutMs: 90_000,
    });

  it('a canary paused at pause: {}: the outputs say it is paused and where', async () => {
    assert.equal((await run('v1.0.0')).outputs.result, 'deployed');
    const users = startLoad(`${haproxy.url}/`, 2, 10);
    const paused = await run('v2.0.0', '[{set-weight: 25}, {pause: {}}, {set-weight: 50}]');
    await users.stop();
    assert.equal(paused.outcome, 'success', paused.log);
    assert.equal(paused.outputs.result, 'paused');
    assert.equal(paused.outputs.canary, 'paused at step 2 of 3 (25 %)');
    assert.match(
      paused.outputs.report!,
      /the canary on slot blue of production, paused: green 75 %, blue 25 % \(canary\)/,
    );
  });

  it('a canary aborted by its analysis: the run fails, and the incident carries each step, its weight and what was measured', async () => {
    writeFileSync(path.join(dir, 'fails-v3.0.0'), '0.25');
    const users = startLoad(`${haproxy.url}/`, 4, 5);
    const failed = await run('v3.0.0');
    await users.stop();
    assert.equal(failed.outcome, 'failure', failed.log);
    assert.equal(failed.outputs['failed-stage'], 'deploy');
    assert.equal(failed.outputs.canary, 'aborted at step 2 of 2 (20 %)');
    const issue = github.repo('acme/shop').issues.at(-1)!;
    assert.equal(failed.outputs['incident-url'], `https://github.com/acme/shop/issues/${issue.number}`);
    assert.match(issue.body, /↩️ the canary's traffic was taken back: every user reaches v1\.0\.0 again/);
    assert.match(issue.body, /#### Canary/);
    assert.match(issue.body, /\| 1 \| set-weight 20 \| 20 % \|/);
    assert.match(
      issue.body,
      /\| 2 \| pause 3\.0 s \| 20 % \| .* \| aborted \| error-ratio max failed: canary \d+(\.\d+)? % &gt; max 5 % \(\d+ requests\) \|/,
    );
    assert.match(issue.body, /xychart-beta/);
  });

  it('with the record in GitHub Deployments: the paused canary keeps its step and weight in its status, and a later run promotes it', async () => {
    const repo = github.repo('acme/shop');
    let id = 8100;
    /** Each step in a workflow run of its own, ended when it ends (as jobs' runs are). */
    const step = async (action: string, inputs: Record<string, string>) => {
      const run = id++;
      repo.runs.set(run, 'in_progress');
      const result = await runGitHubStep(github, action, {
        with: inputs,
        env: { SLOTS_DIR: dir, SERVICE, GITHUB_RUN_ID: String(run) },
        hardTimeoutMs: 90_000,
      });
      repo.runs.set(run, 'completed');
      return result;
    };
    const {
      'health-probes': _h,
      'health-count': _c,
      'health-interval': _i,
      'incident-assignees': _a,
      ...deploy
    } = inputs('v4.0.0', '[{set-weight: 25}, {pause: {}}, {set-weight: 50}]');
    const target = {
      ...deploy,
      backend: 'github',
      'lock-poll-interval': '100ms',
      'state-dir': path.join(dir, 'github-state'),
    };
    const { version: _v, ...control } = target;
    const users = startLoad(`${haproxy.url}/`, 2, 10);
    const first = await step('deploy', { ...target, version: 'v4.0.0' });
    assert.equal(first.outputs.result, 'deployed', first.log);
    const paused = await step('deploy', { ...target, version: 'v5.0.0' });
    assert.equal(paused.outputs.result, 'paused', paused.log);
    const status = repo.deployments
      .filter((d) => d.payload.version === 'v5.0.0' && d.task === 'deploy')
      .at(-1)!
      .statuses.at(-1)!;
    assert.match(status.description, /^paused \[slot \w+, canary 25% at step 2, never live\]/);
    const promoted = await step('promote', control);
    const load = await users.stop();
    assert.equal(promoted.outputs.result, 'promoted', promoted.log);
    assert.match(promoted.log, /Step 3: the canary gets 50 % of the traffic/);
    assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v5.0.0');
    assert.equal(load.failed, 0, load.samples.join('; '));
    assertFaithful(github);
  });
});
