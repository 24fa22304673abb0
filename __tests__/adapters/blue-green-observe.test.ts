import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { getJson, haproxySite, START_SLOT } from '../fixtures/blue-green-site.ts';
import { startLoad } from '../fixtures/load.ts';
import { slowAnswerRelay } from '../fixtures/slow-socket-relay.ts';
import { isRunning } from '../fixtures/test-service.ts';
import { runStep } from '../harness/run-action.ts';

/**
 * Blue-green decides on what it observes, never on its record alone: a warm slot that died, a
 * release that fails after its switch, a proxy that answers late or restarts, a proxy whose
 * servers are not the slots. Real HAProxy, the sample service in two slots, the actions run
 * from dist/ as the runner runs them, users calling the public address.
 */

const released = (site: Awaited<ReturnType<typeof haproxySite>>, more: Record<string, string> = {}) => ({
  environment: 'production',
  command: START_SLOT,
  ...site.target,
  'drain-timeout': '1s',
  'version-url': '{slot_url}/version',
  'state-dir': path.join(site.dir, 'state'),
  attempts: '1',
  ...more,
});

describe('a warm slot that died (real HAProxy)', () => {
  for (const [probes, verify] of [
    ['public probes only', { 'version-url': '' }],
    [
      'slot probes',
      { 'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health", interval: 100ms }' },
    ],
  ] as const)
    it(`a rollback to the version whose slot is gone (${probes}): production keeps serving, the slot is deployed again and verified, the version is not marked bad`, async () => {
      const site = await haproxySite('dead-warm-slot');
      const inputs = (more: Record<string, string>) => ({
        ...released(site, verify),
        ...(probes === 'public probes only'
          ? {
              'verify-probes': `- { name: public, type: http, url: "${site.haproxy.url}/api/health", interval: 100ms }`,
            }
          : {}),
        ...more,
      });
      try {
        for (const version of ['v1.0.0', 'v2.0.0'])
          assert.equal(
            (await runStep('deploy', { with: inputs({ version }), env: site.env })).outputs.result,
            'deployed',
          );
        // v1.0.0's process in green dies (a crash, an OOM kill); the record still says it is warm.
        process.kill(site.pidOf('green'), 'SIGKILL');
        while (isRunning(site.pidOf('green'))) await new Promise((resolve) => setTimeout(resolve, 20));

        const users = startLoad(`${site.haproxy.url}/api/health`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const back = await runStep('rollback', { with: inputs({ 'to-version': 'v1.0.0' }), env: site.env });
        await new Promise((resolve) => setTimeout(resolve, 200));
        const load = await users.stop();

        assert.equal(back.outputs.result, 'rolled-back', back.log);
        assert.equal(
          load.failed,
          0,
          `failed requests: ${load.failed} of ${load.ok + load.failed}: ${load.samples.join('; ')}`,
        );
        assert.match(
          back.log,
          /slot green was recorded running v1\.0\.0 but does not answer: deploying v1\.0\.0 into it again/,
        );
        assert.match(back.log, /Verifying v1\.0\.0 on slot green before any user reaches it/);
        assert.equal((await getJson(`${site.haproxy.url}/version`)).version, 'v1.0.0');
        const v1 = site.state().releases.filter((r: { version: string }) => r.version === 'v1.0.0');
        assert.ok(
          v1.every((r: { status: string }) => r.status === 'good'),
          JSON.stringify(v1),
        );
        assert.equal(site.state().current, 'v1.0.0');
      } finally {
        await site.close();
      }
    });
});

describe('a release that fails after its switch (the whole pipeline, real HAProxy, 4 users)', () => {
  it('breaks 3 s after it went live: traffic is back on the old slot within 100 ms of the failed measurement, then verified', async () => {
    const site = await haproxySite('switch-back-first');
    const run = (version: string, onLine?: (line: string) => void) =>
      runStep('.', {
        with: {
          ...released(site),
          version,
          // A real analysis on the slot before traffic: three answers a second apart.
          'verify-probes':
            '- { name: slot, type: http, url: "{slot_url}/api/health", count: 3, interval: 1s }',
          'health-probes': `- { name: public, type: http, url: "${site.haproxy.url}/api/health" }`,
          'health-count': '20',
          'health-interval': '200ms',
          'preflight-checks': '- { type: command, command: sh }',
          incident: 'none',
        },
        env: site.env,
        ...(onLine ? { onLine } : {}),
      });
    try {
      assert.equal((await run('v1.0.0')).outputs.result, 'deployed');
      writeFileSync(path.join(site.dir, 'breaks-v2.0.0'), '3000');
      const users = startLoad(`${site.haproxy.url}/api/health`);
      let detectedAt = 0;
      const step = await run('v2.0.0', (line) => {
        if (!detectedAt && /^\[public\] #\d+ ✗ failed/.test(line)) detectedAt = Date.now();
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const load = await users.stop();

      assert.equal(step.outputs.result, 'rolled-back', step.log);
      assert.ok(
        load.failed > 0 && detectedAt > 0,
        'v2.0.0 broke while users reached it, and the health check saw it',
      );
      const afterDetection = load.lastFailedAt! - detectedAt;
      const window = load.lastFailedAt! - load.firstFailedAt!;
      console.log(
        `switch back: ${load.failed} of ${load.ok + load.failed} requests failed over ${window} ms; the last ${afterDetection} ms after the failed measurement`,
      );
      assert.ok(
        afterDetection <= 100,
        `users still failed ${afterDetection} ms after the failed measurement`,
      );
      assert.match(
        step.log,
        /Slot green still runs v1\.0\.0, verified, and answers: switching back to it at once/,
      );
      assert.match(step.log, /Traffic is back on green \d+ ms after the decision/);
      assert.equal((await getJson(`${site.haproxy.url}/version`)).version, 'v1.0.0');
    } finally {
      await site.close();
    }
  });
});

describe('the proxy at the switch (real HAProxy)', () => {
  it('HAProxy switches but answers after the client gave up: the record says v2 is live and unverified, as users see; the next deploy proceeds', async () => {
    const site = await haproxySite('late-answer');
    const relay = await slowAnswerRelay(site.haproxy.socket, /set server/, 6000);
    const inputs = (version: string) => ({ ...released(site), 'haproxy-socket': relay.socket, version });
    try {
      const first = await runStep('deploy', {
        with: { ...inputs('v1.0.0'), 'haproxy-socket': site.haproxy.socket },
        env: site.env,
      });
      assert.equal(first.outputs.result, 'deployed', first.log);
      const step = await runStep('deploy', { with: inputs('v2.0.0'), env: site.env });

      assert.equal(step.outcome, 'failure', step.log);
      assert.equal(step.outputs.result, 'failed', 'the outputs are set');
      assert.match(step.log, /did not answer in 5000 ms.*the record says v2\.0\.0 is live but not verified/);
      assert.equal((await getJson(`${site.haproxy.url}/version`)).version, 'v2.0.0', 'users reach v2.0.0');
      assert.match(step.log, /did not answer in 5000 ms.*the record says v2\.0\.0 is live but not verified/);
      assert.equal(site.state().current, 'v2.0.0', 'the record says what users reach');

      const next = await runStep('deploy', {
        with: { ...inputs('v3.0.0'), 'haproxy-socket': site.haproxy.socket },
        env: site.env,
      });
      assert.equal(next.outputs.result, 'deployed', next.log);
      assert.equal((await getJson(`${site.haproxy.url}/version`)).version, 'v3.0.0');
    } finally {
      await relay.close();
      await site.close();
    }
  });

  it("HAProxy's servers point at other addresses than slots says: refused before anything changes, naming both", async () => {
    const site = await haproxySite('swapped-servers', { swapServers: true });
    try {
      const step = await runStep('deploy', { with: { ...released(site), version: 'v1.0.0' }, env: site.env });
      assert.equal(step.outputs.result ?? 'failed', 'failed');
      assert.match(
        step.log,
        /HAProxy's server app\/blue points at 127\.0\.0\.1:\d+, but slots says blue is 127\.0\.0\.1:\d+; nothing was changed/,
      );
      assert.doesNotMatch(step.log, /Deploying v1\.0\.0 into the idle slot/, 'the driver never ran');
    } finally {
      await site.close();
    }
  });

  it('HAProxy restarts between the switch and the public verification: not recorded verified; the record says what users reach', async () => {
    const site = await haproxySite('restart-after-switch');
    const inputs = (version: string) => ({
      ...released(site),
      version,
      'verify-probes': `- { name: public, type: http, url: "${site.haproxy.url}/version", count: 4, interval: 300ms, consecutive-error-limit: 10 }`,
    });
    try {
      for (const version of ['v1.0.0', 'v2.0.0'])
        assert.equal(
          (await runStep('deploy', { with: inputs(version), env: site.env })).outputs.result,
          'deployed',
        );
      // v2.0.0 serves from blue; v3.0.0 goes to green; HAProxy restarts onto its config (blue).
      let restarted: Promise<void> | undefined;
      const step = await runStep('deploy', {
        with: inputs('v3.0.0'),
        env: site.env,
        onLine: (line) => {
          if (/^Switched /.test(line)) restarted ??= site.haproxy.restart();
        },
      });
      await restarted;

      assert.equal(step.outputs.result, 'failed', step.log);
      assert.match(step.log, /no longer sends users to v3\.0\.0's slot after its verification/);
      assert.equal((await getJson(`${site.haproxy.url}/version`)).version, 'v2.0.0');
      assert.equal(site.state().current, 'v2.0.0', 'the record says what users reach');
      assert.notEqual(site.state().releases.at(-1).status, 'good');
    } finally {
      await site.close();
    }
  });
});
