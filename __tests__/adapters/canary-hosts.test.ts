import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { canaryAnalysis } from '../fixtures/canary-analysis.ts';
import { type Haproxy, startHaproxy } from '../fixtures/haproxy.ts';
import { startLoad } from '../fixtures/load.ts';
import { type PrometheusServer, startPrometheus } from '../fixtures/prometheus.ts';
import { startSshd, type TestSshd } from '../fixtures/sshd.ts';
import { startVersionedService } from '../fixtures/versioned-service.ts';
import { runStep } from '../harness/run-action.ts';

const NAMES = ['web1', 'web2', 'web3', 'web4'] as const;

/**
 * A canary across four hosts (each a real sshd with its own service) behind a real HAProxy,
 * judged by a real Prometheus scraping HAProxy's exporter: the hosts running the canary against
 * the others, in the same window, under users' load.
 */
describe('deploy action, strategy canary with hosts: a share of the hosts at each step', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'canary-hosts-'));
  const temp = mkdtempSync(path.join(tmpdir(), 'canary-hosts-temp-'));
  const sshds: TestSshd[] = [];
  const services: { url: string; close(): Promise<void> }[] = [];
  let haproxy: Haproxy;
  let prometheus: PrometheusServer;
  let inputs: Record<string, string>;
  before(async () => {
    sshds.push(...(await Promise.all(NAMES.map((name) => startSshd(`canary-${name}`)))));
    for (const sshd of sshds.slice(1))
      writeFileSync(
        path.join(sshd.dir, 'authorized_keys'),
        readFileSync(path.join(sshds[0]!.dir, 'client_key.pub')),
      );
    services.push(...(await Promise.all(NAMES.map((name) => startVersionedService(path.join(dir, name))))));
    const port = (at: number) => Number(new URL(services[at]!.url).port);
    haproxy = await startHaproxy(Object.fromEntries(NAMES.map((name, at) => [name, port(at)])), '*');
    prometheus = await startPrometheus([haproxy.metricsUrl]);
    inputs = {
      environment: 'production',
      strategy: 'canary',
      'haproxy-socket': haproxy.socket,
      'haproxy-backend': 'app',
      'drain-timeout': '5s',
      'run-on': 'host',
      command: `touch ${dir}/$DEPLOY_HOST.restarting; sleep 0.2; echo "$DEPLOY_VERSION" > ${dir}/$DEPLOY_HOST; rm ${dir}/$DEPLOY_HOST.restarting`,
      hosts: NAMES.map(
        (name, at) => `- { name: ${name}, ssh: "${sshds[at]!.ssh}", address: "127.0.0.1:${port(at)}" }`,
      ).join('\n'),
      'known-hosts': sshds.map((sshd) => sshd.knownHosts).join('\n'),
      'ssh-private-key': sshds[0]!.privateKey,
      'verify-probes': '- { name: host, type: http, url: "{host_url}/health", count: 2, interval: 50ms }',
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
      'canary-steps': '[{set-weight: 25}, {pause: 4s}, {set-weight: 50}, {pause: 2s}]',
      'canary-analysis': canaryAnalysis(prometheus.url, '[{ template: error-ratio, max-over-stable: 2% }]'),
    };
    const first = await deploy('v1.0.0');
    assert.equal(first.outputs.result, 'deployed', first.log);
  });
  after(async () => {
    await prometheus?.close();
    await haproxy?.close();
    await Promise.all([...sshds.map((sshd) => sshd.close()), ...services.map((service) => service.close())]);
  });

  const deploy = (version: string, onLine?: (line: string) => void) =>
    runStep('deploy', {
      with: { ...inputs, version },
      env: { TMPDIR: temp },
      hardTimeoutMs: 120_000,
      ...(onLine ? { onLine } : {}),
    });
  const running = () => NAMES.map((name) => readFileSync(path.join(dir, name), 'utf8').trim());
  const recorded = () => JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));

  it('25 % of the hosts, analysis, 50 %, then all: 0 failed user requests, each host verified before it rejoined', async () => {
    const atStep: string[][] = [];
    const users = startLoad(haproxy.url, 4, 5);
    const step = await deploy('v2.0.0', (line) => {
      if (/Step \d: the canary gets/.test(line)) atStep.push(running());
    });
    const load = await users.stop();
    assert.equal(step.outputs.result, 'deployed', step.log);
    assert.equal(
      load.failed,
      0,
      `failed: ${load.failed} of ${load.ok + load.failed}: ${load.samples.join('; ')}`,
    );
    assert.deepEqual(
      atStep.map((hosts) => hosts.filter((v) => v === 'v2.0.0').length),
      [1, 2],
    );
    assert.deepEqual(running(), ['v2.0.0', 'v2.0.0', 'v2.0.0', 'v2.0.0']);
    assert.equal(step.outputs.canary, 'promoted after step 4 of 4');
    assert.match(step.summary, /error-ratio max-over-stable successful: canary 0 % ≤ stable 0 % \+ 2 %/);
    const hosts = Object.values(recorded().hosts) as { version: string; verified: boolean }[];
    assert.ok(
      hosts.every((host) => host.version === 'v2.0.0' && host.verified),
      JSON.stringify(hosts),
    );
  });

  it('a version failing a fifth of its requests on its quarter of the hosts: aborted, its host reverted and verified, marked bad', async () => {
    const users = startLoad(haproxy.url, 4, 5);
    const step = await deploy('v3.0.0-flaky');
    const load = await users.stop();
    assert.equal(step.outputs.result, 'failed', step.log);
    assert.equal(step.outputs.canary, 'aborted at step 2 of 4 (25 %)');
    const message = JSON.parse(step.outputs.report!).message;
    assert.match(
      message,
      /the background analysis failed: error-ratio max-over-stable: canary \d+(\.\d+)? % > stable 0 % \+ 2 %/,
    );
    assert.match(message, /web1 reverted to v2\.0\.0, verified/);
    assert.deepEqual(running(), ['v2.0.0', 'v2.0.0', 'v2.0.0', 'v2.0.0']);
    assert.equal(recorded().releases.at(-1).status, 'bad');
    assert.equal(recorded().current, 'v2.0.0');
    // Only its quarter of the users met it, and only a fifth of those failed.
    assert.ok(load.failed > 0 && load.failed / (load.ok + load.failed) < 0.05, JSON.stringify(load));
  });

  it('pause: {} across hosts: a second process promotes one canary (the rest follow), and aborts another (its host reverted)', async () => {
    const steps = { 'canary-steps': '[{set-weight: 25}, {pause: {}}, {set-weight: 50}]' };
    const control = (action: 'promote' | 'abort') =>
      runStep(action, { with: { ...inputs, ...steps }, env: { TMPDIR: temp }, hardTimeoutMs: 120_000 });
    const users = startLoad(haproxy.url, 4, 5);
    const paused = await runStep('deploy', {
      with: { ...inputs, ...steps, version: 'v4.0.0' },
      env: { TMPDIR: temp },
      hardTimeoutMs: 120_000,
    });
    assert.equal(paused.outputs.result, 'paused', paused.log);
    assert.equal(paused.outputs.canary, 'paused at step 2 of 3 (25 %)');
    assert.deepEqual(running().filter((v) => v === 'v4.0.0').length, 1);
    assert.deepEqual(recorded().releases.at(-1).canary, { step: 1, weight: 25 });
    const promoted = await control('promote');
    assert.equal(promoted.outputs.result, 'promoted', promoted.log);
    assert.match(promoted.log, /Step 3: the canary gets 50 % of the traffic/);
    assert.deepEqual(running(), ['v4.0.0', 'v4.0.0', 'v4.0.0', 'v4.0.0']);

    assert.equal(
      (
        await runStep('deploy', {
          with: { ...inputs, ...steps, version: 'v5.0.0' },
          env: { TMPDIR: temp },
          hardTimeoutMs: 120_000,
        })
      ).outputs.result,
      'paused',
    );
    assert.equal(running().filter((v) => v === 'v5.0.0').length, 1);
    const aborted = await control('abort');
    const load = await users.stop();
    assert.equal(aborted.outputs.result, 'aborted', aborted.log);
    assert.match(
      aborted.log,
      /Aborted the canary v5\.0\.0 on production: web\d reverted to v4\.0\.0, verified/,
    );
    assert.deepEqual(running(), ['v4.0.0', 'v4.0.0', 'v4.0.0', 'v4.0.0']);
    assert.equal(recorded().releases.at(-1).status, 'aborted');
    assert.equal(recorded().current, 'v4.0.0');
    assert.equal(load.failed, 0, `failed: ${load.failed}: ${load.samples.join('; ')}`);
  });

  it('a canary promoted from its pause, then failing: every host running it is reverted, those from before the pause too', async () => {
    const steps = { 'canary-steps': '[{set-weight: 25}, {pause: {}}, {set-weight: 50}, {pause: 6s}]' };
    const run = (action: string, more: Record<string, string> = {}) =>
      runStep(action, {
        with: { ...inputs, ...steps, ...more },
        env: { TMPDIR: temp },
        hardTimeoutMs: 120_000,
      });
    const users = startLoad(haproxy.url, 4, 5);
    assert.equal((await run('deploy', { version: 'v6.0.0-flaky' })).outputs.result, 'paused');
    assert.equal(running().filter((v) => v === 'v6.0.0-flaky').length, 1);
    const promoted = await run('promote');
    await users.stop();
    assert.equal(promoted.outputs.result, 'failed', promoted.log);
    assert.match(
      JSON.parse(promoted.outputs.report!).message,
      /canary aborted at step 4 \(50 % of the hosts\)/,
    );
    assert.match(promoted.log, /reverting web1, web2 to v4\.0\.0/);
    assert.deepEqual(running(), ['v4.0.0', 'v4.0.0', 'v4.0.0', 'v4.0.0']);
    assert.equal(recorded().current, 'v4.0.0');
  });
});
