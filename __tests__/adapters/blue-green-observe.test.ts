import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { haproxyCommand } from '../../src/clients/haproxy-runtime.ts';
import { getJson, haproxySite, SERVICE, START_SLOT } from '../fixtures/blue-green-site.ts';
import { startLoad } from '../fixtures/load.ts';
import { startNginx } from '../fixtures/nginx.ts';
import { getFresh, slotServer } from '../fixtures/proxied.ts';
import { slowAnswerRelay } from '../fixtures/slow-socket-relay.ts';
import { freePort, isRunning } from '../fixtures/test-service.ts';
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
  it('breaks 3 s after it went live: traffic is back on the old slot before the rollback verifies it, then verified', async () => {
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
      // Switched back first: the rollback's own check of v1.0.0 on its slot takes 2 s at least
      // (3 answers 1 s apart), so failures ending within 1 s of the detection prove traffic went
      // back before it. (Typically 20-100 ms; the bench reports the figure, a loaded CI runner
      // must not turn it into a flaky test.)
      assert.ok(
        afterDetection <= 1000,
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

/** Two slots behind a real nginx (blue live, nothing running yet): the inputs, and a clean-up. */
/** The site's inputs for a switch-command in front of its nginx: nginx's own inputs would be refused. */
function withoutNginxInputs(inputs: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).filter(([input]) => !input.startsWith('nginx-')));
}

async function nginxSite(label: string) {
  const dir = mkdtempSync(path.join(tmpdir(), `${label}-`));
  const slots = { blue: await freePort(), green: await freePort() };
  const nginx = await startNginx({ name: 'blue', port: slots.blue });
  return {
    dir,
    nginx,
    env: { SLOTS_DIR: dir, SERVICE },
    inputs: {
      environment: 'production',
      command: START_SLOT,
      strategy: 'blue-green',
      slots: `{ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
      traffic: 'nginx',
      'nginx-upstream-file': nginx.upstreamFile,
      'nginx-test-command': nginx.testCommand,
      'nginx-reload-command': nginx.reloadCommand,
      'nginx-pid-file': nginx.pidFile,
      'drain-timeout': '1s',
      'version-url': '{slot_url}/version',
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
    },
    state: () => JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8')),
    async close() {
      await nginx.close();
      for (const slot of ['blue', 'green'])
        try {
          process.kill(Number(readFileSync(path.join(dir, `${slot}.pid`), 'utf8')));
        } catch {
          // not started
        }
    },
  };
}

describe('nginx at the switch (real nginx)', () => {
  it('the reload command fails: the old upstream file is back, the record says users never left v1, the next deploy proceeds', async () => {
    const site = await nginxSite('nginx-reload-fails');
    try {
      const first = await runStep('deploy', { with: { ...site.inputs, version: 'v1.0.0' }, env: site.env });
      assert.equal(first.outputs.result, 'deployed', first.log);
      const before = readFileSync(site.nginx.upstreamFile, 'utf8');
      const step = await runStep('deploy', {
        with: { ...site.inputs, version: 'v2.0.0', 'nginx-reload-command': 'false' },
        env: site.env,
      });

      assert.equal(step.outputs.result, 'failed', step.log);
      assert.match(step.log, /nginx did not reload: the old upstream file is back, users still reach/);
      assert.equal(readFileSync(site.nginx.upstreamFile, 'utf8'), before, 'the file says what nginx serves');
      assert.equal((await getJson(`${site.nginx.url}/version`)).version, 'v1.0.0');
      assert.equal(site.state().current, 'v1.0.0');
      assert.equal(site.state().releases.at(-1).neverLive, true);

      const next = await runStep('deploy', { with: { ...site.inputs, version: 'v3.0.0' }, env: site.env });
      assert.equal(next.outputs.result, 'deployed', next.log);
      assert.equal((await getJson(`${site.nginx.url}/version`)).version, 'v3.0.0');
    } finally {
      await site.close();
    }
  });

  it("nginx's pid file cannot be read: nothing is changed, not even the upstream file", async () => {
    const site = await nginxSite('nginx-no-pid');
    try {
      assert.equal(
        (await runStep('deploy', { with: { ...site.inputs, version: 'v1.0.0' }, env: site.env })).outputs
          .result,
        'deployed',
      );
      const before = readFileSync(site.nginx.upstreamFile, 'utf8');
      const step = await runStep('deploy', {
        with: { ...site.inputs, version: 'v2.0.0', 'nginx-pid-file': path.join(site.dir, 'no-such.pid') },
        env: site.env,
      });
      assert.equal(step.outputs.result, 'failed', step.log);
      assert.match(step.log, /cannot read nginx's pid file/);
      assert.equal(readFileSync(site.nginx.upstreamFile, 'utf8'), before);
      assert.equal(site.state().current, 'v1.0.0');
    } finally {
      await site.close();
    }
  });

  it('an upstream file edited by hand (both slots, or no mark) is refused before anything changes, naming the lines', async () => {
    const site = await nginxSite('nginx-hand-edited');
    try {
      const line = readFileSync(site.nginx.upstreamFile, 'utf8').trim();
      const green = site.inputs.slots.match(/green: "([^"]+)"/)![1];
      for (const [text, said] of [
        [
          `${line}\nserver ${green};  # deploy-actions slot green\n`,
          /it has 2 server lines \(lines 1, 2\), not one/,
        ],
        [
          `${line.replace(/#.*/, '')}\n`,
          /its server line \(line 1\) has no "# deploy-actions slot <name>" mark/,
        ],
      ] as const) {
        writeFileSync(site.nginx.upstreamFile, text);
        const step = await runStep('deploy', { with: { ...site.inputs, version: 'v1.0.0' }, env: site.env });
        assert.equal(step.outcome, 'failure');
        assert.match(step.log, said);
        assert.match(step.log, /nginx-upstream-file/);
        assert.doesNotMatch(step.log, /Deploying v1\.0\.0 into the idle slot/, 'the driver never ran');
        assert.equal(readFileSync(site.nginx.upstreamFile, 'utf8'), text, 'nothing changed');
      }
    } finally {
      await site.close();
    }
  });

  it('a symlink planted at the temp name beside the upstream file is never followed', async () => {
    const site = await nginxSite('nginx-planted-link');
    const victim = path.join(site.dir, 'victim.conf');
    writeFileSync(victim, 'precious\n');
    try {
      // The old fixed temp name, and a guess at any other: a link there must not be written through.
      symlinkSync(victim, `${site.nginx.upstreamFile}.deploy-actions.tmp`);
      const step = await runStep('deploy', { with: { ...site.inputs, version: 'v1.0.0' }, env: site.env });
      assert.equal(step.outputs.result, 'deployed', step.log);
      assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    } finally {
      await site.close();
    }
  });
});

describe('switch-command whose read-back fails after the switch (real nginx behind it)', () => {
  it('the outputs are set, the step says what users reach is unknown and how to see it; the next deploy reads it', async () => {
    const site = await nginxSite('switch-readback-fails');
    const file = site.nginx.upstreamFile;
    const broken = path.join(site.dir, 'read-back-broken');
    const script = [
      `if [ -z "$DEPLOY_SLOT" ]; then [ -f ${broken} ] && exit 3; sed -n 's/.*# deploy-actions slot //p' ${file}; exit 0; fi`,
      `echo "server $DEPLOY_SLOT_ADDRESS;  # deploy-actions slot $DEPLOY_SLOT" > ${file}.new && mv ${file}.new ${file}`,
      `${site.nginx.testCommand} && ${site.nginx.reloadCommand} && sleep 0.3 && touch ${broken}-next`,
    ].join('\n');
    const inputs = { ...withoutNginxInputs(site.inputs), traffic: 'command', 'switch-command': script };
    try {
      assert.equal(
        (await runStep('deploy', { with: { ...inputs, version: 'v1.0.0' }, env: site.env })).outputs.result,
        'deployed',
      );
      // From the next switch on, asking which slot serves fails (exit 3).
      const step = await runStep('deploy', {
        with: { ...inputs, version: 'v2.0.0', 'switch-command': script.replace(`${broken}-next`, broken) },
        env: site.env,
      });

      assert.equal(step.outcome, 'failure');
      assert.equal(step.outputs.result, 'failed', 'the outputs are set');
      assert.equal(step.outputs.version, 'v2.0.0');
      assert.match(
        step.log,
        /what users reach is unknown: switch-command could not be read after the fault; see it with switch-command run with DEPLOY_SLOT empty/,
      );
      assert.equal((await getJson(`${site.nginx.url}/version`)).version, 'v2.0.0', 'traffic did move');

      rmSync(broken);
      const next = await runStep('deploy', { with: { ...inputs, version: 'v3.0.0' }, env: site.env });
      assert.equal(next.outputs.result, 'deployed', next.log);
      assert.match(
        next.log,
        /Deploying v3\.0\.0 into the idle slot green .*; users stay on blue/,
        'it read the proxy',
      );
      assert.equal((await getJson(`${site.nginx.url}/version`)).version, 'v3.0.0');
    } finally {
      await site.close();
    }
  });
});

describe('kill -9 at every phase of a blue-green release (real nginx behind a switch-command)', () => {
  it('placing, verifying on the slot, switching, after the switch: each followed by a deploy that proceeds, and the record says what the proxy serves', async () => {
    const site = await nginxSite('kill-at-phases');
    const file = site.nginx.upstreamFile;
    const script = [
      `if [ -z "$DEPLOY_SLOT" ]; then sed -n 's/.*# deploy-actions slot //p' ${file}; exit 0; fi`,
      `echo "server $DEPLOY_SLOT_ADDRESS;  # deploy-actions slot $DEPLOY_SLOT" > ${file}.new && mv ${file}.new ${file}`,
      `${site.nginx.testCommand} && ${site.nginx.reloadCommand} && sleep 0.3 && touch "$SLOTS_DIR/moved" && sleep 5`,
    ].join('\n');
    const inputs = {
      ...withoutNginxInputs(site.inputs),
      traffic: 'command',
      'switch-command': script,
      'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health", count: 2, interval: 2s }',
    };
    const slotOf = async () => (await getJson(`${site.nginx.url}/version`)).version;
    try {
      assert.equal(
        (
          await runStep('deploy', {
            with: {
              ...inputs,
              version: 'v1.0.0',
              'switch-command': script.replace(/ && touch .*sleep 5$/, ''),
            },
            env: site.env,
          })
        ).outputs.result,
        'deployed',
      );
      let n = 1;
      for (const [phase, killWhen] of [
        ['placing', /^Attempt 1\/1/],
        ['verifying on the slot', /^Verifying v\S+ on slot/],
        ['switching', { file: path.join(site.dir, 'moved') }],
        ['after the switch', /^Switched /],
      ] as const) {
        n++;
        const killed = await runStep('deploy', {
          with: {
            ...inputs,
            version: `v${n}.0.0`,
            ...(phase === 'after the switch'
              ? {
                  'switch-command': script.replace(/ && touch .*sleep 5$/, ''),
                  'verify-probes': `- { name: public, type: http, url: "${site.nginx.url}/api/health", count: 5, interval: 1s }`,
                }
              : {}),
          },
          env: site.env,
          killWhen,
        });
        assert.notEqual(killed.outcome, 'success', `${phase}: ${killed.log}`);
        const next = await runStep('deploy', {
          with: {
            ...inputs,
            version: `v${n}.1.0`,
            'switch-command': script.replace(/ && touch .*sleep 5$/, ''),
          },
          env: site.env,
        });
        assert.equal(next.outputs.result, 'deployed', `after a kill ${phase}: ${next.log}`);
        assert.equal(await slotOf(), `v${n}.1.0`);
        assert.equal(
          site.state().current,
          `v${n}.1.0`,
          `after a kill ${phase}: the record says what users reach`,
        );
        const killedRecord = site
          .state()
          .releases.find((r: { version: string }) => r.version === `v${n}.0.0`);
        assert.equal(killedRecord.status, 'interrupted', phase);
        assert.equal(
          killedRecord.neverLive === true,
          phase === 'placing' || phase === 'verifying on the slot',
          `${phase}: never live only before the switch`,
        );
      }
    } finally {
      await site.close();
    }
  });
});

describe('the releases driver in slots with a relative releases-dir (real HAProxy)', () => {
  it('installing rejected releases never prunes the release users reach, whatever the spelling of the path', async () => {
    const site = await haproxySite('releases-relative');
    for (const [version, broken] of [
      ['v1.0.0', false],
      ['v2.0.0', true],
      ['v3.0.0', true],
    ] as const) {
      mkdirSync(path.join(site.dir, 'artifacts', version), { recursive: true });
      copyFileSync(SERVICE, path.join(site.dir, 'artifacts', version, 'server.mjs'));
      if (broken) writeFileSync(path.join(site.dir, 'artifacts', version, 'BROKEN'), '');
    }
    const release = (version: string) =>
      runStep('deploy', {
        workspace: site.dir,
        with: {
          ...released(site),
          version,
          driver: 'releases',
          'releases-dir': './app/../app',
          artifact: 'artifacts/{version}',
          'restart-command': START_SLOT,
          'keep-releases': '2',
          'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health", interval: 100ms }',
        },
        env: { SLOTS_DIR: site.dir },
      });
    try {
      assert.equal((await release('v1.0.0')).outputs.result, 'deployed');
      for (const version of ['v2.0.0', 'v3.0.0']) {
        const step = await release(version);
        assert.match(step.log, /rejected before traffic/, step.log);
      }
      assert.ok(
        existsSync(path.join(site.dir, 'app', 'releases', 'v1.0.0', 'server.mjs')),
        'the live release is kept',
      );
      assert.equal((await getJson(`${site.haproxy.url}/version`)).version, 'v1.0.0');
    } finally {
      await site.close();
    }
  });
});

describe('a cancel during nginx drain (real nginx, a slow request in flight)', () => {
  it('after the reload, while the old worker finishes a slow request: the record says v2 is live and unverified, as nginx serves it', async () => {
    const blue = await slotServer('blue');
    const green = await slotServer('green');
    const nginx = await startNginx({ name: 'blue', port: blue.port });
    const workspace = mkdtempSync(path.join(tmpdir(), 'nginx-drain-'));
    const state = () => JSON.parse(readFileSync(path.join(workspace, 'state', 'production.json'), 'utf8'));
    const inputs = (version: string) => ({
      environment: 'production',
      version,
      command: 'true',
      strategy: 'blue-green',
      slots: `{ blue: "127.0.0.1:${blue.port}", green: "127.0.0.1:${green.port}" }`,
      traffic: 'nginx',
      'nginx-upstream-file': nginx.upstreamFile,
      'nginx-test-command': nginx.testCommand,
      // The real reload, then a mark that it happened: the cancel comes during the drain after it.
      'nginx-reload-command': `${nginx.reloadCommand} && echo done > reloaded`,
      'nginx-pid-file': nginx.pidFile,
      'drain-timeout': '20s',
      'state-dir': path.join(workspace, 'state'),
      attempts: '1',
    });
    try {
      // v1 is recorded in blue (the slot nginx serves); v2 goes to green.
      const first = await runStep('deploy', {
        workspace,
        with: { ...inputs('v1.0.0'), 'nginx-reload-command': nginx.reloadCommand },
      });
      assert.equal(first.outputs.result, 'deployed', first.log);
      assert.match(readFileSync(nginx.upstreamFile, 'utf8'), /slot green/);
      // Users reach green (v1); a slow request is in flight there when v2's switch to blue drains it.
      // Five seconds in flight: the reload, however slow the machine, comes while it is served.
      const slow = getFresh(`${nginx.url}/slower`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const step = await runStep('deploy', {
        workspace,
        with: inputs('v2.0.0'),
        cancelWhen: { file: 'reloaded' },
      });

      assert.equal(step.outcome, 'cancelled', step.log);
      // `nginx -s reload` only signals the master: its new workers take a moment to serve.
      let serving = await getFresh(nginx.url);
      for (let i = 0; i < 40 && serving !== 'blue'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        serving = await getFresh(nginx.url);
      }
      assert.equal(serving, 'blue', `nginx serves the new slot: ${step.log}`);
      assert.match(step.log, /the record says v2\.0\.0 is live but not verified/);
      assert.equal(state().current, 'v2.0.0', 'the record says what users reach');
      assert.equal(await slow, 'green', 'the old worker still finished the slow request');
    } finally {
      await nginx.close();
      blue.close();
      green.close();
    }
  });
});

describe('the whole pipeline when HAProxy answers the switch late (real HAProxy)', () => {
  it('the fault is read back: users reach v2, it is checked, found broken, and rolled back', async () => {
    const site = await haproxySite('pipeline-late-answer');
    const relay = await slowAnswerRelay(site.haproxy.socket, /set server/, 6000, 1);
    const run = (version: string, socket: string) =>
      runStep('.', {
        with: {
          ...released(site),
          version,
          'haproxy-socket': socket,
          'health-probes': `- { name: public, type: http, url: "${site.haproxy.url}/api/health" }`,
          'health-count': '2',
          'health-interval': '100ms',
          incident: 'none',
        },
        env: site.env,
      });
    try {
      assert.equal((await run('v1.0.0', site.haproxy.socket)).outputs.result, 'deployed');
      // v2.0.0 passes its slot check, then breaks while the switch's answer is late.
      writeFileSync(path.join(site.dir, 'breaks-v2.0.0'), '2000');
      const step = await run('v2.0.0', relay.socket);

      assert.equal(step.outputs.result, 'rolled-back', step.log);
      assert.equal(step.outputs['failed-stage'], 'deploy');
      assert.match(step.log, /── rollback ──/);
      assert.equal((await getJson(`${site.haproxy.url}/version`)).version, 'v1.0.0');
      assert.equal(site.state().current, 'v1.0.0');
    } finally {
      await relay.close();
      await site.close();
    }
  });
});

describe('a rollback refused because the proxy disagrees with the record (real HAProxy)', () => {
  it('marks nothing bad: the version users reach stays as it was recorded', async () => {
    const site = await haproxySite('refused-rollback');
    try {
      for (const version of ['v1.0.0', 'v2.0.0'])
        assert.equal(
          (await runStep('deploy', { with: { ...released(site), version }, env: site.env })).outputs.result,
          'deployed',
        );
      // Someone puts traffic back on green (v1.0.0) by hand; the record still says v2.0.0.
      await haproxyCommand(
        site.haproxy.socket,
        'set server app/green state ready; set server app/blue state maint',
      );
      const back = await runStep('rollback', {
        with: { ...released(site), 'to-version': 'v1.0.0' },
        env: site.env,
      });

      assert.equal(back.outputs.result, 'failed', back.log);
      assert.match(
        back.log,
        /serves slot green, which last ran v1\.0\.0, but the record says v2\.0\.0 is live: nothing was changed/,
      );
      assert.match(back.log, /which is not marked bad: nothing changed/);
      const v2 = site.state().releases.filter((r: { version: string }) => r.version === 'v2.0.0');
      assert.ok(
        v2.every((r: { status: string }) => r.status === 'good'),
        JSON.stringify(v2),
      );
    } finally {
      await site.close();
    }
  });
});
