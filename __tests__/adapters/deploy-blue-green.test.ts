import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson, haproxySite, SERVICE, START_SLOT } from '../fixtures/blue-green-site.ts';
import { startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, runGitHubStep } from '../fixtures/fake-github/steps.ts';
import { startHaproxy } from '../fixtures/haproxy.ts';
import { startLoad } from '../fixtures/load.ts';
import { startNginx } from '../fixtures/nginx.ts';
import { requireBinary } from '../fixtures/prometheus.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { freePort, isRunning } from '../fixtures/test-service.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';
import { runStep } from '../harness/run-action.ts';

/** A proxy in front of the two slots, blue live: its public URL and the inputs that name it. */
interface Proxy {
  readonly url: string;
  readonly inputs: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

const PROXIES: Record<string, (slots: { blue: number; green: number }) => Promise<Proxy>> = {
  'a real HAProxy': async (slots) => {
    const haproxy = await startHaproxy(slots, 'blue');
    return {
      url: haproxy.url,
      inputs: { traffic: 'haproxy', 'haproxy-socket': haproxy.socket, 'haproxy-backend': haproxy.backend },
      close: () => haproxy.close(),
    };
  },
  'a real nginx': async (slots) => {
    const nginx = await startNginx({ name: 'blue', port: slots.blue });
    return {
      url: nginx.url,
      inputs: {
        traffic: 'nginx',
        'nginx-upstream-file': nginx.upstreamFile,
        'nginx-test-command': nginx.testCommand,
        'nginx-reload-command': nginx.reloadCommand,
        'nginx-pid-file': nginx.pidFile,
      },
      close: () => nginx.close(),
    };
  },
  'a switch-command (a script driving a real nginx)': async (slots) => {
    const nginx = await startNginx({ name: 'blue', port: slots.blue });
    const file = nginx.upstreamFile;
    const script = [
      // Asked which slot serves: the name in the upstream file.
      `if [ -z "$DEPLOY_SLOT" ]; then sed -n 's/.*# deploy-actions slot //p' ${file}; exit 0; fi`,
      `echo "server $DEPLOY_SLOT_ADDRESS;  # deploy-actions slot $DEPLOY_SLOT" > ${file}.new && mv ${file}.new ${file}`,
      `${nginx.testCommand} && ${nginx.reloadCommand} && sleep 0.3`,
    ].join('\n');
    return {
      url: nginx.url,
      inputs: { traffic: 'command', 'switch-command': script },
      close: () => nginx.close(),
    };
  },
};

/**
 * Blue-green behind a real proxy: the sample service in two slots, the deploy action run from
 * dist/ as the runner runs it, and users (a bounded load generator) calling the public address
 * throughout. Counted: every request that did not get a 200.
 */
for (const [proxyName, startProxy] of Object.entries(PROXIES))
  describe(`deploy action, strategy blue-green behind ${proxyName}`, () => {
    let proxy: Proxy;
    let dir: string;
    let slots: { blue: number; green: number };
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'blue-green-'));
      slots = { blue: await freePort(), green: await freePort() };
      proxy = await startProxy(slots);
      // The first release: into the idle slot (green), nobody calling yet (blue runs nothing).
      const first = await deploy('v1.0.0');
      assert.equal(first.outputs.result, 'deployed', first.log);
      assert.equal(state().releases.at(-1).slot, 'green');
    });
    after(async () => {
      await proxy.close();
      for (const slot of ['blue', 'green']) {
        try {
          process.kill(Number(readFileSync(path.join(dir, `${slot}.pid`), 'utf8')));
        } catch {
          // not started, or gone
        }
      }
    });

    const target = () => ({
      environment: 'production',
      command: START_SLOT,
      strategy: 'blue-green',
      slots: `{ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
      ...proxy.inputs,
      'drain-timeout': '2s',
      'verify-probes':
        '- { name: slot, type: http, url: "{slot_url}/api/health", count: 2, interval: 100ms }',
      'version-url': '{slot_url}/version',
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
    });
    const env = () => ({ SLOTS_DIR: dir, SERVICE });
    const deploy = (version: string) => runStep('deploy', { with: { ...target(), version }, env: env() });
    const state = () => JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
    const liveVersion = async () => (await getJson(`${proxy.url}/version`)).version;

    it('a good release under load: 0 failed requests; it ran in the idle slot and was verified there before the switch', async () => {
      assert.equal(await liveVersion(), 'v1.0.0');
      const users = startLoad(`${proxy.url}/api/health`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const step = await deploy('v2.0.0');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const load = await users.stop();

      assert.equal(step.outputs.result, 'deployed', step.log);
      assert.equal(
        load.failed,
        0,
        `failed requests: ${load.failed} of ${load.ok + load.failed}: ${load.samples.join('; ')}`,
      );
      assert.ok(load.ok > 50, `only ${load.ok} requests were made`);
      assert.equal(await liveVersion(), 'v2.0.0');
      assert.match(step.log, /Deploying v2\.0\.0 into the idle slot blue .*; users stay on green/);
      assert.match(step.log, /Verifying v2\.0\.0 on slot blue before any user reaches it/);
      assert.match(
        step.log,
        /Switched .* from green to blue: users reach v2\.0\.0; green keeps running v1\.0\.0/,
      );
      const newest = state().releases.at(-1);
      assert.deepEqual([newest.version, newest.status, newest.slot], ['v2.0.0', 'good', 'blue']);
      assert.equal(state().current, 'v2.0.0');
      const rows = step.summary.split('\n').filter((line) => line.startsWith('| '));
      assert.ok(
        rows.some((row) => /^\| switch \| green → blue in \d+ ms \(.*\), read back: blue \|$/.test(row)),
        step.summary,
      );
      assert.ok(rows.includes('| serving now | blue (v2.0.0) |'), step.summary);
      assert.ok(
        rows.some((row) => /^\| Check on the slot \(before traffic\) \| ✓ /.test(row)),
        step.summary,
      );
      assert.ok(isRunning(Number(readFileSync(path.join(dir, 'green.pid'), 'utf8'))), 'green stays warm');
    });

    it('a rollback to the version the other slot still runs: an instant switch back, no deploy, 0 failed requests', async () => {
      const users = startLoad(`${proxy.url}/api/health`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const step = await runStep('rollback', { with: { ...target(), 'to-version': 'v1.0.0' }, env: env() });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const load = await users.stop();

      assert.equal(step.outputs.result, 'rolled-back', step.log);
      assert.equal(
        load.failed,
        0,
        `failed requests: ${load.failed} of ${load.ok + load.failed}: ${load.samples.join('; ')}`,
      );
      assert.equal(await liveVersion(), 'v1.0.0');
      assert.match(
        step.log,
        /Slot green still runs v1\.0\.0, verified, and answers: switching back to it at once, verifying after/,
      );
      assert.doesNotMatch(step.log, /Deploying v1\.0\.0 into the idle slot/, 'the driver did not run');
      assert.equal(state().current, 'v1.0.0');
    });

    it('a bad release under load: rejected on its slot before any user reached it, 0 failed requests, production untouched, marked bad', async () => {
      writeFileSync(path.join(dir, 'broken-v3.0.0'), '');
      const before = {
        version: await liveVersion(),
        slot: state().releases.findLast((r: { status: string }) => r.status === 'good').slot,
      };
      const idle = before.slot === 'blue' ? 'green' : 'blue';
      const users = startLoad(`${proxy.url}/api/health`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const step = await deploy('v3.0.0');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const load = await users.stop();

      assert.equal(step.outputs.result, 'failed');
      assert.equal(
        load.failed,
        0,
        `failed requests: ${load.failed} of ${load.ok + load.failed}: ${load.samples.join('; ')}`,
      );
      assert.ok(load.ok > 50, `only ${load.ok} requests were made`);
      assert.equal(await liveVersion(), before.version, 'users still reach what they reached');
      assert.match(
        step.log,
        new RegExp(
          `rejected before traffic: on slot ${idle}, health check failed: slot: status 503, expected 2xx.*; no user reached it; they still reach ${before.version} on ${before.slot}\\. ${before.version} is still current, and v3\\.0\\.0 is marked bad: nothing to roll back\\.`,
        ),
      );
      assert.doesNotMatch(
        step.log,
        /roll back to|with the rollback action/,
        'nothing to roll back: production never changed',
      );
      const newest = state().releases.at(-1);
      assert.deepEqual([newest.version, newest.status, newest.slot], ['v3.0.0', 'bad', idle]);
      assert.equal(state().current, before.version, 'the record says what users reach');
      // The summary, row by row: the evidence, and no row that contradicts the outcome.
      const rows = step.summary.split('\n').filter((line) => line.startsWith('| '));
      assert.ok(rows.includes(`| slot | ${idle} |`), step.summary);
      assert.ok(rows.includes(`| serving now | ${before.slot} (unchanged) |`), step.summary);
      assert.ok(
        rows.some((row) =>
          /^\| Check on the slot \(before traffic\) \| ✗ health check failed: slot: status 503/.test(row),
        ),
        step.summary,
      );
      assert.ok(
        rows.includes(
          '| Verification (what users reach) | not run: rejected on its slot, no user reached it |',
        ),
        step.summary,
      );
      assert.match(step.summary, /#### Check on the slot/);
    });
    it('cancelled (SIGINT) while the version goes into the idle slot: users never left the live one, and the record says so', async () => {
      const before = await liveVersion();
      const step = await runStep('deploy', {
        with: { ...target(), version: 'v4.0.0', command: `${START_SLOT} && echo placed && sleep 30` },
        env: env(),
        cancelWhen: /^placed$/,
      });

      assert.equal(step.outcome, 'cancelled', step.log);
      assert.match(
        step.log,
        new RegExp(
          `users still reach what they reached before \\(${before.replace(/\./g, '\\.')}\\), as the record says`,
        ),
      );
      assert.equal(await liveVersion(), before, 'traffic never moved');
      const newest = state().releases.at(-1);
      assert.deepEqual([newest.version, newest.status], ['v4.0.0', 'interrupted']);
      assert.equal(state().current, before, 'not recorded live: it never was');
    });
  });

describe('the whole pipeline (root action), blue-green behind a real HAProxy', () => {
  it('a release that passes its slot check but fails the health check through the public address: switched back at once, production healthy', async () => {
    const { dir, haproxy, target, close } = await haproxySite('blue-green-pipeline');
    try {
      const run = (version: string) =>
        runStep('.', {
          with: {
            environment: 'production',
            version,
            command: START_SLOT,
            ...target,
            'drain-timeout': '2s',
            // Before traffic, only the running version is checked on the slot: a weak analysis.
            'version-url': '{slot_url}/version',
            'health-probes': `- { name: public, type: http, url: "${haproxy.url}/api/health" }`,
            'health-count': '3',
            'health-interval': '100ms',
            'state-dir': path.join(dir, 'state'),
            'preflight-checks': '- { type: command, command: sh }',
            incident: 'none',
            attempts: '1',
          },
          env: { SLOTS_DIR: dir, SERVICE },
        });
      assert.equal((await run('v1.0.0')).outputs.result, 'deployed');
      writeFileSync(path.join(dir, 'broken-v2.0.0'), '');

      const users = startLoad(`${haproxy.url}/api/health`);
      const step = await run('v2.0.0');
      const during = await users.stop();
      const after = startLoad(`${haproxy.url}/api/health`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const since = await after.stop();

      // The broken version served users between the switch and the switch back: counted, reported.
      console.log(
        `failed requests while v2.0.0 was live and switched back: ${during.failed} of ${during.ok + during.failed}`,
      );
      assert.ok(during.failed > 0, 'the health check through the public address saw what users saw');
      assert.equal(since.failed, 0, 'after the switch back, users are served again');

      assert.equal(step.outputs.result, 'rolled-back', step.log);
      assert.equal(step.outputs['failed-stage'], 'health-check');
      assert.match(
        step.log,
        /Slot green still runs v1\.0\.0, verified, and answers: switching back to it at once, verifying after/,
      );
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v1.0.0', 'users reach v1.0.0 again');
      const state = JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
      assert.equal(state.current, 'v1.0.0');
      assert.equal(state.releases.find((r: { version: string }) => r.version === 'v2.0.0').status, 'bad');
    } finally {
      await close();
    }
  });
});

describe('scale-down-delay and stop-command (blue-green behind a real HAProxy)', () => {
  /** The site's deploy inputs, with a stop-command that kills the slot's process and says so. */
  const scaleDownInputs = (site: Awaited<ReturnType<typeof haproxySite>>, more: Record<string, string>) => ({
    environment: 'production',
    command: START_SLOT,
    ...site.target,
    'drain-timeout': '1s',
    'stop-command':
      'kill "$(cat "$SLOTS_DIR/$DEPLOY_SLOT.pid")" && echo "stopped $DEPLOY_SLOT ($DEPLOY_VERSION)"',
    'state-dir': path.join(site.dir, 'state'),
    attempts: '1',
    ...more,
  });

  it('the old slot is stopped scale-down-delay after a verified release; a rollback then deploys into it again', async () => {
    const site = await haproxySite('blue-green-scale-down');
    const { dir, haproxy, close } = site;
    const inputs = scaleDownInputs(site, {
      'version-url': '{slot_url}/version',
      'scale-down-delay': '200ms',
    });
    const { pidOf, env } = site;
    try {
      const first = await runStep('deploy', { with: { ...inputs, version: 'v1.0.0' }, env });
      assert.equal(first.outputs.result, 'deployed', first.log);
      const step = await runStep('deploy', { with: { ...inputs, version: 'v2.0.0' }, env });

      assert.equal(step.outputs.result, 'deployed', step.log);
      assert.match(step.log, /Slot green \(v1\.0\.0\) stays warm until 20\S+, then stop-command stops it/);
      assert.match(step.log, /stopped green \(v1\.0\.0\)/);
      assert.equal(isRunning(pidOf('green')), false, 'the old slot was stopped');
      const state = JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
      assert.equal(state.releases.find((r: { version: string }) => r.version === 'v1.0.0').stopped, true);

      const back = await runStep('rollback', { with: { ...inputs, 'to-version': 'v1.0.0' }, env });
      assert.equal(back.outputs.result, 'rolled-back', back.log);
      assert.match(
        back.log,
        /Deploying v1\.0\.0 into the idle slot green/,
        'not warm any more: deployed again',
      );
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v1.0.0');
    } finally {
      await close();
    }
  });

  it('a release rejected on its slot is stopped there at once when stop-command is set', async () => {
    const site = await haproxySite('blue-green-stop-rejected');
    const { dir, close } = site;
    const inputs = scaleDownInputs(site, {
      'verify-probes':
        '- { name: slot, type: http, url: "{slot_url}/api/health", count: 2, interval: 100ms }',
      'scale-down-delay': '5m',
    });
    const { pidOf, env } = site;
    writeFileSync(path.join(dir, 'broken-v2.0.0'), '');
    try {
      assert.equal(
        (await runStep('deploy', { with: { ...inputs, version: 'v1.0.0' }, env })).outputs.result,
        'deployed',
      );
      const bad = await runStep('deploy', { with: { ...inputs, version: 'v2.0.0' }, env });
      assert.equal(bad.outputs.result, 'failed', bad.log);
      assert.match(bad.log, /rejected before traffic: on slot blue/);
      assert.match(bad.log, /stopped blue \(v2\.0\.0\)[\s\S]*Stopped slot blue: v2\.0\.0 was rejected there/);
      assert.equal(isRunning(pidOf('blue')), false, 'not left running broken');
      assert.ok(isRunning(pidOf('green')), 'users still reach v1.0.0 on green');
      const state = JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
      const rejected = state.releases.at(-1);
      assert.deepEqual(
        [rejected.version, rejected.status, rejected.slot, rejected.stopped],
        ['v2.0.0', 'bad', 'blue', true],
      );
    } finally {
      await close();
    }
  });

  it('a long scale-down-delay holds neither the run nor the lock: the old slot is stopped by the next release, or by deploy-actions scale-down, once due', async () => {
    const site = await haproxySite('blue-green-scale-down-later');
    const { dir, close } = site;
    const inputs = scaleDownInputs(site, { 'version-url': '{slot_url}/version', 'scale-down-delay': '11s' });
    const { pidOf, env } = site;
    const flags = Object.entries({ ...inputs, 'to-version': '' })
      .filter(([, value]) => value !== '')
      .map(([name, value]) => `--${name}=${value}`);
    try {
      for (const version of ['v1.0.0', 'v2.0.0'])
        assert.equal(
          (await runStep('deploy', { with: { ...inputs, version }, env })).outputs.result,
          'deployed',
        );
      const third = await runStep('deploy', { with: { ...inputs, version: 'v3.0.0' }, env });
      const replacedAt = Date.now(); // v3 verified: v2's slot is due 11 s after this at the latest
      assert.equal(third.outputs.result, 'deployed', third.log);
      assert.match(
        third.log,
        /Slot blue \(v2\.0\.0\) stays warm until 20\S+ \(scale-down-delay 11\.0 s\): the next release, or `deploy-actions scale-down`, stops it then/,
      );
      assert.ok(isRunning(pidOf('blue')), 'warm: the run did not wait for the delay');

      // Before the delay: scale-down stops nothing; after it, the next release stops it first.
      const early = await runCli(['scale-down', ...flags], env);
      assert.equal(early.code, 0, early.stderr);
      assert.match(early.stdout, /Slot blue \(v2\.0\.0\) stays warm until 20\S+: not stopped yet/);
      assert.ok(isRunning(pidOf('blue')));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, replacedAt + 11_500 - Date.now())));
      const blueBefore = pidOf('blue');
      const next = await runStep('deploy', { with: { ...inputs, version: 'v4.0.0' }, env });
      assert.equal(next.outputs.result, 'deployed', next.log);
      assert.match(
        next.log,
        /stopped blue \(v2\.0\.0\)[\s\S]*Stopped slot blue \(v2\.0\.0\), scale-down-delay after it was replaced/,
      );
      assert.match(next.log, /Deploying v4\.0\.0 into the idle slot blue/);
      assert.equal(isRunning(blueBefore), false, 'v2 was stopped before v4 took its slot');
      const state = JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
      assert.equal(state.releases.find((r: { version: string }) => r.version === 'v2.0.0').stopped, true);
    } finally {
      await close();
    }
  });
});

describe('the releases driver in slots (blue-green behind a real HAProxy)', () => {
  it('each slot has its own current link; the restart command starts the slot from it; a broken release is rejected on its slot', async () => {
    const { dir, haproxy, target, close } = await haproxySite('blue-green-releases');
    for (const [version, broken] of [
      ['v1.0.0', false],
      ['v2.0.0', false],
      ['v3.0.0', true],
    ] as const) {
      mkdirSync(path.join(dir, 'artifacts', version), { recursive: true });
      copyFileSync(SERVICE, path.join(dir, 'artifacts', version, 'server.mjs'));
      if (broken) writeFileSync(path.join(dir, 'artifacts', version, 'BROKEN'), '');
    }
    const release = (version: string) =>
      runStep('deploy', {
        with: {
          environment: 'production',
          version,
          driver: 'releases',
          'releases-dir': path.join(dir, 'app'),
          artifact: path.join(dir, 'artifacts', '{version}'),
          'restart-command': START_SLOT,
          ...target,
          'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health", interval: 100ms }',
          'version-url': '{slot_url}/version',
          'state-dir': path.join(dir, 'state'),
          attempts: '1',
        },
        env: { SLOTS_DIR: dir },
      });
    try {
      assert.equal((await release('v1.0.0')).outputs.result, 'deployed');
      const users = startLoad(`${haproxy.url}/api/health`);
      const good = await release('v2.0.0');
      const bad = await release('v3.0.0');
      const load = await users.stop();

      assert.equal(good.outputs.result, 'deployed', good.log);
      assert.equal(bad.outputs.result, 'failed');
      assert.match(bad.log, /rejected before traffic: on slot green/);
      assert.equal(load.failed, 0, `failed requests: ${load.failed}: ${load.samples.join('; ')}`);
      assert.equal(readlinkSync(path.join(dir, 'app', 'current-blue')), path.join('releases', 'v2.0.0'));
      assert.equal(readlinkSync(path.join(dir, 'app', 'current-green')), path.join('releases', 'v3.0.0'));
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v2.0.0');
    } finally {
      await close();
    }
  });
});

describe('the ansible driver in slots (blue-green behind a real HAProxy)', () => {
  it('the playbook gets slot, slot_address and slot_port, and the release goes live after its slot verified', async () => {
    requireBinary('ansible-playbook', 'ansible-core');
    const { dir, haproxy, target, close } = await haproxySite('blue-green-ansible');
    const playbook = path.join(dir, 'slot.yml');
    writeFileSync(
      playbook,
      [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - name: Run the version in its slot',
        `      ansible.builtin.command: ${START_SLOT}`,
        '      environment:',
        '        DEPLOY_SLOT: "{{ slot }}"',
        '        DEPLOY_SLOT_PORT: "{{ slot_port }}"',
        '        DEPLOY_VERSION: "{{ version }}"',
        `        SLOTS_DIR: ${dir}`,
        `        SERVICE: ${SERVICE}`,
        '',
      ].join('\n'),
    );
    try {
      const step = await runStep('deploy', {
        with: {
          environment: 'production',
          version: 'v1.0.0',
          driver: 'ansible',
          playbook,
          inventory: path.join(REPO_ROOT, 'examples', 'ansible', 'inventory.ini'),
          ...target,
          'version-url': '{slot_url}/version',
          'state-dir': path.join(dir, 'state'),
          attempts: '1',
        },
      });
      assert.equal(step.outputs.result, 'deployed', step.log);
      assert.match(step.log, /Deploying v1\.0\.0 into the idle slot green/);
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v1.0.0');
    } finally {
      await close();
    }
  });
});

describe('blue-green with the record in GitHub Deployments (backend github, the fake GitHub) behind a real HAProxy', () => {
  it('the slots are in the deployment statuses: a rollback switches back to the warm slot, a rejected release leaves the current one verified', async () => {
    const github = await startFakeGitHub({ repos: ['acme/shop'] });
    const { dir, haproxy, target, close } = await haproxySite('blue-green-github');
    writeFileSync(path.join(dir, 'broken-v3.0.0'), '');
    const inputs = {
      environment: 'production',
      command: START_SLOT,
      ...target,
      'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health", interval: 100ms }',
      'version-url': '{slot_url}/version',
      backend: 'github',
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
    };
    const env = { SLOTS_DIR: dir, SERVICE };
    try {
      for (const version of ['v1.0.0', 'v2.0.0']) {
        const step = await runGitHubStep(github, 'deploy', { with: { ...inputs, version }, env });
        assert.equal(step.outputs.result, 'deployed', step.log);
      }
      const back = await runGitHubStep(github, 'rollback', {
        with: { ...inputs, 'to-version': 'v1.0.0' },
        env,
      });
      assert.equal(back.outputs.result, 'rolled-back', back.log);
      assert.match(
        back.log,
        /Slot green still runs v1\.0\.0, verified, and answers: switching back to it at once, verifying after/,
      );
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v1.0.0');

      const bad = await runGitHubStep(github, 'deploy', { with: { ...inputs, version: 'v3.0.0' }, env });
      assert.equal(bad.outputs.result, 'failed');
      const descriptions = github
        .repo('acme/shop')
        .deployments.map((d) => `${d.payload.version} ${d.statuses.at(-1)!.description}`);
      assert.ok(
        descriptions.some((d) => /^v2\.0\.0 .*\[slot blue\]/.test(d)),
        descriptions.join('\n'),
      );
      assert.ok(
        descriptions.some((d) => /^v3\.0\.0 bad \[slot blue, never live\]: rejected before traffic/.test(d)),
        descriptions.join('\n'),
      );
      const again = await runGitHubStep(github, 'deploy', { with: { ...inputs, version: 'v1.0.0' }, env });
      assert.equal(again.outputs.result, 'unchanged', `v1.0.0 is still current and verified: ${again.log}`);
      assertFaithful(github);
    } finally {
      await close();
      await github.close();
    }
  });
});

describe('blue-green with backend github, a release killed in its slot before the switch (fake GitHub, real HAProxy)', () => {
  it('is recorded never live with its slot once its run has ended; the next deploy proceeds', async () => {
    const github = await startFakeGitHub({ repos: ['acme/shop'] });
    const { dir, haproxy, target, close } = await haproxySite('blue-green-github-kill');
    const repo = github.repo('acme/shop');
    const inputs = {
      environment: 'production',
      command: START_SLOT,
      ...target,
      'version-url': '{slot_url}/version',
      backend: 'github',
      'state-dir': path.join(dir, 'state'),
      'lock-poll-interval': '200ms',
      attempts: '1',
    };
    const deploy = (
      version: string,
      run: number,
      more: Partial<Parameters<typeof runGitHubStep>[2]> = {},
    ) => {
      repo.runs.set(run, 'in_progress');
      return runGitHubStep(github, 'deploy', {
        with: { ...inputs, version },
        env: { SLOTS_DIR: dir, SERVICE, GITHUB_RUN_ID: String(run) },
        ...more,
      });
    };
    try {
      assert.equal((await deploy('v1.0.0', 5101)).outputs.result, 'deployed');
      const killed = await deploy('v2.0.0', 5102, { killWhen: /^Attempt 1\/1/ });
      assert.notEqual(killed.outcome, 'success');
      repo.runs.set(5102, 'completed');

      const next = await deploy('v3.0.0', 5103);
      assert.equal(next.outputs.result, 'deployed', next.log);
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v3.0.0');
      const v2 = repo.deployments.find((d) => d.payload.version === 'v2.0.0')!;
      assert.match(
        v2.statuses.at(-1)!.description ?? '',
        /^interrupted \[slot blue, never live\]: abandoned/,
      );
      assertFaithful(github);
    } finally {
      await close();
      await github.close();
    }
  });
});

describe('deploy-actions run (the CLI pipeline), blue-green behind a real HAProxy: a release rejected on its slot', () => {
  it('fails at deploy with no rollback and no incident (no user was at risk); with incident-on: any-failure, the incident says where it was caught', async () => {
    const { dir, slots, haproxy, close } = await haproxySite('blue-green-incident');
    writeFileSync(path.join(dir, 'broken-v2.0.0'), '');
    const run = (version: string, ...more: string[]) =>
      runCli(
        [
          'run',
          '--environment=production',
          `--version=${version}`,
          `--command=${START_SLOT}`,
          '--strategy=blue-green',
          `--slots={ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
          `--haproxy-socket=${haproxy.socket}`,
          `--haproxy-backend=${haproxy.backend}`,
          '--verify-probes=- { name: slot, type: http, url: "{slot_url}/api/health", interval: 100ms }',
          `--health-probes=- { name: public, type: http, url: "${haproxy.url}/api/health" }`,
          '--health-count=1',
          `--state-dir=${path.join(dir, 'state')}`,
          '--incident=file',
          `--incident-dir=${path.join(dir, 'incidents')}`,
          '--attempts=1',
          ...more,
        ],
        { SLOTS_DIR: dir, SERVICE },
      );
    try {
      assert.equal((await run('v1.0.0')).code, 0);
      const bad = await run('v2.0.0');
      assert.equal(bad.code, 1, bad.stdout + bad.stderr);
      assert.match(bad.stdout + bad.stderr, /rejected before traffic: on slot blue/);
      assert.equal(existsSync(path.join(dir, 'incidents', 'incident-1.md')), false, 'no incident by default');

      const asked = await run('v2.0.0', '--incident-on=any-failure', '--force');
      assert.equal(asked.code, 1, asked.stdout + asked.stderr);
      const incident = readFileSync(path.join(dir, 'incidents', 'incident-1.md'), 'utf8');
      assert.match(incident, /Deploy incident: production v2\.0\.0 failed at deploy/);
      assert.match(incident, /rejected before traffic: on slot blue/);
      assert.match(
        incident,
        /— not needed: the release was rejected before any user reached it; v1\.0\.0 still serves/,
      );
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v1.0.0');
    } finally {
      await close();
    }
  });
});

describe('blue-green when the proxy cannot be worked (real HAProxy, real processes)', () => {
  it('the runtime API socket missing: a clear error naming haproxy-socket, nothing deployed, the record untouched', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'blue-green-no-proxy-'));
    const step = await runStep('deploy', {
      with: {
        environment: 'production',
        version: 'v1.0.0',
        command: `touch ${path.join(dir, 'driver-ran')}`,
        strategy: 'blue-green',
        slots: '{ blue: "127.0.0.1:1", green: "127.0.0.1:2" }',
        'haproxy-socket': path.join(dir, 'no-such.sock'),
        'haproxy-backend': 'app',
        'state-dir': path.join(dir, 'state'),
      },
    });

    assert.equal(step.outcome, 'failure');
    assert.match(step.log, /cannot reach HAProxy's runtime API at .*no-such\.sock \(haproxy-socket\)/);
    assert.doesNotMatch(step.log, /\bat .*\.js:\d+/);
    assert.equal(existsSync(path.join(dir, 'driver-ran')), false, 'the driver never ran');
    const state = JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
    assert.equal(state.current, undefined, 'nothing recorded live');
    assert.equal(state.releases.at(-1).neverLive, true);
  });
});

describe('blue-green under load, again and again (real HAProxy)', () => {
  it('20 consecutive deploys, good and broken mixed, 4 users calling throughout: 0 failed requests', async () => {
    const { dir, haproxy, target, close } = await haproxySite('blue-green-twenty');
    const inputs = {
      environment: 'production',
      command: START_SLOT,
      ...target,
      'drain-timeout': '1s',
      'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health", interval: 50ms }',
      'version-url': '{slot_url}/version',
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
    };
    const env = { SLOTS_DIR: dir, SERVICE };
    try {
      assert.equal(
        (await runStep('deploy', { with: { ...inputs, version: 'v0.0.0' }, env })).outputs.result,
        'deployed',
      );
      const users = startLoad(`${haproxy.url}/api/health`);
      const results: string[] = [];
      for (let i = 1; i <= 20; i++) {
        const broken = i % 3 === 0;
        const version = `v1.${i}.0${broken ? '-broken' : ''}`;
        if (broken) writeFileSync(path.join(dir, `broken-${version}`), '');
        results.push((await runStep('deploy', { with: { ...inputs, version }, env })).outputs.result!);
      }
      const load = await users.stop();

      assert.deepEqual(
        results,
        Array.from({ length: 20 }, (_, i) => ((i + 1) % 3 === 0 ? 'failed' : 'deployed')),
      );
      assert.equal(
        load.failed,
        0,
        `failed requests: ${load.failed} of ${load.ok + load.failed}: ${load.samples.join('; ')}`,
      );
      assert.ok(load.ok > 200, `only ${load.ok} requests`);
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v1.20.0');
    } finally {
      await close();
    }
  });
});

describe('SIGINT after the switch (real HAProxy)', () => {
  it('while verifying through the public address: the new slot serves, and the record says it is live and not verified', async () => {
    const { dir, haproxy, target, close } = await haproxySite('blue-green-sigint');
    const inputs = {
      environment: 'production',
      command: START_SLOT,
      ...target,
      'drain-timeout': '1s',
      'verify-probes': [
        '- { name: slot, type: http, url: "{slot_url}/api/health", interval: 50ms }',
        `- { name: public, type: http, url: "${haproxy.url}/api/health", interval: 1s, count: 30 }`,
      ].join('\n'),
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
    };
    const env = { SLOTS_DIR: dir, SERVICE };
    try {
      assert.equal(
        (await runStep('deploy', { with: { ...inputs, version: 'v1.0.0' }, env, cancelWhen: /never/ }))
          .outcome,
        'success',
      );
      const step = await runStep('deploy', {
        with: { ...inputs, version: 'v2.0.0' },
        env,
        cancelWhen: /^Switched /,
      });

      assert.equal(step.outcome, 'cancelled', step.log);
      assert.match(step.log, /the record says v2\.0\.0 is live but not verified/);
      assert.equal((await getJson(`${haproxy.url}/version`)).version, 'v2.0.0', 'users reach the new slot');
      const state = JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
      assert.equal(state.current, 'v2.0.0', 'state = proxy');
      assert.equal(state.releases.at(-1).status, 'interrupted');
      assert.equal(state.releases.at(-1).slot, 'blue');
    } finally {
      await close();
    }
  });
});
