import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson, SERVICE, START_SLOT } from '../fixtures/blue-green-site.ts';
import { type Haproxy, startHaproxy } from '../fixtures/haproxy.ts';
import { startLoad } from '../fixtures/load.ts';
import { type PrometheusServer, startPrometheus } from '../fixtures/prometheus.ts';
import { freePort } from '../fixtures/test-service.ts';
import { runStep } from '../harness/run-action.ts';

/**
 * A canary on two slots behind a real HAProxy, judged by a real Prometheus scraping HAProxy's
 * own exporter every second, under users' traffic (a bounded load generator on /). The sample
 * service's canary builds fail a fraction of users' requests, or are slower, while their health
 * stays UP: what the check on the slot cannot see and real traffic shows.
 */
describe('deploy action, strategy canary on slots behind a real HAProxy, judged by a real Prometheus', () => {
  let dir: string;
  let slots: { blue: number; green: number };
  let haproxy: Haproxy;
  let prometheus: PrometheusServer;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'canary-'));
    slots = { blue: await freePort(), green: await freePort() };
    haproxy = await startHaproxy(slots, 'blue');
    prometheus = await startPrometheus([haproxy.metricsUrl]);
    const first = await deploy('v1.0.0');
    assert.equal(first.outputs.result, 'deployed', first.log);
  });
  after(async () => {
    await prometheus?.close();
    await haproxy?.close();
    for (const slot of ['blue', 'green'])
      try {
        process.kill(Number(readFileSync(path.join(dir, `${slot}.pid`), 'utf8')));
      } catch {
        // not started, or gone
      }
  });

  const analysis = (metrics: string) =>
    [
      `prometheus: ${prometheus.url}`,
      'window: 3s',
      'interval: 1s',
      'initial-delay: 2s',
      'min-requests: 10',
      'metrics:',
      metrics,
    ].join('\n');
  const ERRORS = '  - { template: error-ratio, max: 5% }';
  const target = (extra: Record<string, string> = {}) => ({
    environment: 'production',
    command: START_SLOT,
    strategy: 'canary',
    slots: `{ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
    'haproxy-socket': haproxy.socket,
    'haproxy-backend': haproxy.backend,
    'drain-timeout': '2s',
    'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health", count: 2, interval: 100ms }',
    'version-url': '{slot_url}/version',
    'state-dir': path.join(dir, 'state'),
    attempts: '1',
    'canary-steps': '[{set-weight: 20}, {pause: 4s}, {set-weight: 50}, {pause: 4s}]',
    'canary-analysis': analysis(ERRORS),
    ...extra,
  });
  const deploy = (version: string, extra: Record<string, string> = {}) =>
    runStep('deploy', {
      with: { ...target(extra), version },
      env: { SLOTS_DIR: dir, SERVICE },
      hardTimeoutMs: 90_000,
    });
  const state = () => JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
  const weights = async () => {
    const { haproxyCommand } = await import('../../src/clients/haproxy-runtime.ts');
    return haproxyCommand(haproxy.socket, 'show servers state app');
  };
  const underLoad = async <T>(run: () => Promise<T>) => {
    const users = startLoad(`${haproxy.url}/`, 4, 5);
    const began = Date.now();
    const result = await run();
    const load = await users.stop();
    return { result, load, tookMs: Date.now() - began };
  };

  it('a healthy canary goes through every step under load: 0 failed requests, then all traffic on it', async () => {
    const { result: step, load } = await underLoad(() => deploy('v2.0.0'));
    assert.equal(step.outputs.result, 'deployed', step.log);
    assert.equal(
      load.failed,
      0,
      `failed: ${load.failed} of ${load.ok + load.failed}: ${load.samples.join('; ')}`,
    );
    assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v2.0.0');
    assert.match(step.log, /Step 1: the canary gets 20 % of the traffic/);
    assert.match(step.log, /Step 3: the canary gets 50 % of the traffic/);
    const servers = await weights();
    console.log(servers);
    const newest = state().releases.at(-1);
    assert.deepEqual([newest.version, newest.status, newest.phase], ['v2.0.0', 'good', 'live']);
    assert.match(step.summary, /#### Canary/);
    assert.match(step.summary, /xychart-beta/);
  });

  it('a canary failing 20 % of requests: aborted by the background analysis, weight back to 0, stable serving, marked bad', async () => {
    writeFileSync(path.join(dir, 'fails-v3.0.0'), '0.2');
    const { result: step, load, tookMs } = await underLoad(() => deploy('v3.0.0'));
    assert.equal(step.outputs.result, 'failed', step.log);
    assert.match(
      step.log,
      /canary aborted at step \d \(20 %\): the background analysis failed: error-ratio max: canary \d/,
    );
    assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v2.0.0');
    const newest = state().releases.at(-1);
    assert.deepEqual([newest.version, newest.status], ['v3.0.0', 'bad']);
    assert.equal(state().current, 'v2.0.0');
    console.log({ failed: load.failed, all: load.ok + load.failed, tookMs });
  });
});
