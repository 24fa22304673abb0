import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { haproxyCommand } from '../../src/clients/haproxy-runtime.ts';
import { getJson, SERVICE, START_SLOT } from '../fixtures/blue-green-site.ts';
import { startHaproxy } from '../fixtures/haproxy.ts';
import { startLoad } from '../fixtures/load.ts';
import { startNginx } from '../fixtures/nginx.ts';
import { freePort } from '../fixtures/test-service.ts';
import { runStep } from '../harness/run-action.ts';

/** Two slots in a temp dir and the deploy inputs for them; the proxy's inputs are added per proxy. */
async function emptySetup(label: string) {
  const dir = mkdtempSync(path.join(tmpdir(), `${label}-`));
  const slots = { blue: await freePort(), green: await freePort() };
  const inputs = {
    environment: 'production',
    command: START_SLOT,
    strategy: 'blue-green',
    slots: `{ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
    'drain-timeout': '1s',
    'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health", count: 2, interval: 100ms }',
    'version-url': '{slot_url}/version',
    'state-dir': path.join(dir, 'state'),
    attempts: '1',
  };
  const deploy = (version: string, proxy: Record<string, string>) =>
    runStep('deploy', { with: { ...inputs, ...proxy, version }, env: { SLOTS_DIR: dir, SERVICE } });
  const state = () => JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
  const stopSlots = () => {
    for (const slot of ['blue', 'green'])
      try {
        process.kill(Number(readFileSync(path.join(dir, `${slot}.pid`), 'utf8')));
      } catch {
        // never started
      }
  };
  return { slots, deploy, state, stopSlots };
}

describe('the first release of a new environment: nothing live, the proxy serves no slot', () => {
  it('behind HAProxy (both servers in maintenance): into the first slot, verified, then traffic; users served from then on', async () => {
    const { slots, deploy, state, stopSlots } = await emptySetup('first-release-haproxy');
    const haproxy = await startHaproxy(slots, 'none');
    const proxy = {
      traffic: 'haproxy',
      'haproxy-socket': haproxy.socket,
      'haproxy-backend': haproxy.backend,
    };
    try {
      const users = startLoad(`${haproxy.url}/api/health`);
      const step = await deploy('v1.0.0', proxy);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const load = await users.stop();

      assert.equal(step.outputs.result, 'deployed', step.log);
      assert.match(
        step.log,
        /first release of production: nothing was live and the proxy serves no slot, so v1\.0\.0 goes into slot blue, is verified there, then gets traffic/,
      );
      assert.match(step.log, /Deploying v1\.0\.0 into the idle slot blue .*; no user is served yet/);
      assert.match(
        step.log,
        /Sent .* traffic to blue: users reach v1\.0\.0, the first version of production/,
      );
      assert.match(step.summary, /\| first release \| yes: nothing was live before, no slot served \|/);
      assert.match(step.summary, /\| slot \| blue \|/);
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v1.0.0');
      assert.ok(load.ok > 20, `only ${load.ok} requests were served`);
      assert.equal(load.failedOnceUp, 0, `failed once up: ${load.samples.join('; ')}`);
      const newest = state().releases.at(-1);
      assert.deepEqual([newest.version, newest.status, newest.slot], ['v1.0.0', 'good', 'blue']);

      // The second release is an ordinary one: into green, users stay on blue meanwhile.
      const second = await deploy('v2.0.0', proxy);
      assert.equal(second.outputs.result, 'deployed', second.log);
      assert.match(second.log, /Deploying v2\.0\.0 into the idle slot green .*; users stay on blue/);
    } finally {
      await haproxy.close();
      stopSlots();
    }
  });

  it('behind nginx (an empty upstream file): the first slot written, tested, reloaded, read back', async () => {
    const { deploy, state, stopSlots } = await emptySetup('first-release-nginx');
    const nginx = await startNginx(undefined);
    const proxy = {
      traffic: 'nginx',
      'nginx-upstream-file': nginx.upstreamFile,
      'nginx-test-command': nginx.testCommand,
      'nginx-reload-command': nginx.reloadCommand,
      'nginx-pid-file': nginx.pidFile,
    };
    try {
      const step = await deploy('v1.0.0', proxy);
      assert.equal(step.outputs.result, 'deployed', step.log);
      assert.match(step.log, /first release of production/);
      assert.match(readFileSync(nginx.upstreamFile, 'utf8'), /# deploy-actions slot blue/);
      assert.equal((await getJson(`${nginx.url}/version`)).version, 'v1.0.0');
      assert.equal(state().releases.at(-1).status, 'good');
    } finally {
      await nginx.close();
      stopSlots();
    }
  });

  it('a version was live, yet the proxy serves no slot: refused, nothing changed (not a first release)', async () => {
    const { slots, deploy, state, stopSlots } = await emptySetup('first-release-not');
    const haproxy = await startHaproxy(slots, 'none');
    const proxy = {
      traffic: 'haproxy',
      'haproxy-socket': haproxy.socket,
      'haproxy-backend': haproxy.backend,
    };
    try {
      // v1 goes live in blue; then someone puts blue in maintenance by hand.
      assert.equal((await deploy('v1.0.0', proxy)).outputs.result, 'deployed');
      await haproxyCommand(haproxy.socket, `set server ${haproxy.backend}/blue state maint`);
      const step = await deploy('v2.0.0', proxy);
      assert.notEqual(step.outputs.result, 'deployed');
      assert.match(step.log, /sends traffic to no slot, not one: nothing was changed/);
      assert.equal(state().current, 'v1.0.0');
    } finally {
      await haproxy.close();
      stopSlots();
    }
  });
});
