import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { haproxyCommand } from '../../src/clients/haproxy-runtime.ts';
import { haproxySite, SERVICE, START_SLOT } from '../fixtures/blue-green-site.ts';
import { startNginx } from '../fixtures/nginx.ts';
import { requireBinary } from '../fixtures/prometheus.ts';
import { freePort } from '../fixtures/test-service.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';
import { runStep } from '../harness/run-action.ts';

const PROBES = [
  '- { name: slot-health, type: http, url: "{slot_url}/api/health" }',
  '- { name: public-health, type: http, url: "http://127.0.0.1:1/api/health" }',
].join('\n');

/** Every file under `dir` with its bytes and mtime: what a dry run must leave as it found it. */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name))
      .map((file) => [file, `${statSync(file).mtimeMs} ${readFileSync(file, 'utf8')}`]),
  );
}

describe('the dry run of a blue-green release reads production and changes nothing', () => {
  it('behind HAProxy: names the live and idle slots, what each ran, every probe, the plan; servers and files unchanged', async () => {
    const site = await haproxySite('dry-run-haproxy');
    const inputs = {
      environment: 'production',
      command: START_SLOT,
      ...site.target,
      'verify-probes': PROBES.replace('http://127.0.0.1:1', site.haproxy.url),
      'version-url': '{slot_url}/version',
      'state-dir': path.join(site.dir, 'state'),
      attempts: '1',
    };
    try {
      assert.equal(
        (await runStep('deploy', { with: { ...inputs, version: 'v1.0.0' }, env: site.env })).outputs.result,
        'deployed',
      );
      // Each server's name, address, operational and admin state (not its seconds since a change).
      const servers = async () =>
        (await haproxyCommand(site.haproxy.socket, 'show servers state app'))
          .split('\n')
          .filter((line) => /^\d+ app /.test(line))
          .map((line) => line.split(' ').slice(3, 7).join(' '));
      const serversBefore = await servers();
      const files = snapshot(site.dir);

      const step = await runStep('deploy', {
        with: { ...inputs, version: 'v2.0.0', 'dry-run': 'true' },
        env: site.env,
      });

      assert.equal(step.outputs.result, 'dry-run', step.log);
      const said = step.log;
      assert.match(said, /proxy: +haproxy backend app serves green/);
      assert.match(
        said,
        /slots: +blue \(127\.0\.0\.1:\d+\) idle, does not answer; green \(127\.0\.0\.1:\d+\) live, answers, last ran v1\.0\.0/,
      );
      assert.match(
        said,
        /go live: +the driver puts v2\.0\.0 into the idle slot blue while users stay on green; verified there, then haproxy backend app switches to it; green stays warm/,
      );
      assert.match(said, /slot check: +slot-health, version-url on blue, before any user reaches it/);
      assert.match(said, /verify: +public-health \(after the switch, through what users reach\)/);
      assert.deepEqual(await servers(), serversBefore);
      assert.equal(serversBefore.length, 2);
      assert.deepEqual(snapshot(site.dir), files, 'no file written, not even the state');
      assert.doesNotMatch(said, /Deploying v2\.0\.0 into/, 'the driver never ran');
    } finally {
      await site.close();
    }
  });

  it('behind nginx with an empty upstream file: a first release into blue, nginx -t run; nothing changed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dry-run-nginx-'));
    const slots = { blue: await freePort(), green: await freePort() };
    const nginx = await startNginx(undefined);
    try {
      const before = snapshot(path.dirname(nginx.upstreamFile));
      const step = await runStep('deploy', {
        with: {
          environment: 'production',
          version: 'v1.0.0',
          command: START_SLOT,
          strategy: 'blue-green',
          slots: `{ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
          traffic: 'nginx',
          'nginx-upstream-file': nginx.upstreamFile,
          'nginx-test-command': nginx.testCommand,
          'nginx-reload-command': nginx.reloadCommand,
          'nginx-pid-file': nginx.pidFile,
          'verify-probes': PROBES,
          'state-dir': path.join(dir, 'state'),
          'dry-run': 'true',
        },
        env: { SLOTS_DIR: dir, SERVICE },
      });
      assert.equal(step.outputs.result, 'dry-run', step.log);
      assert.match(step.log, /proxy: +nginx upstream .* serves no slot; `.*nginx -t .*` passes/);
      assert.match(step.log, /go live: +first release: the driver puts v1\.0\.0 into blue/);
      assert.deepEqual(snapshot(path.dirname(nginx.upstreamFile)), before);
      assert.deepEqual(snapshot(path.join(dir, 'state')), {}, 'no state written');
    } finally {
      await nginx.close();
    }
  });

  it('a proxy the release would refuse (both servers ready): the dry run fails, saying so, and changes nothing', async () => {
    const site = await haproxySite('dry-run-refused');
    try {
      await haproxyCommand(site.haproxy.socket, 'set server app/green state ready');
      const step = await runStep('deploy', {
        with: {
          environment: 'production',
          version: 'v1.0.0',
          command: START_SLOT,
          ...site.target,
          'state-dir': path.join(site.dir, 'state'),
          'dry-run': 'true',
        },
        env: site.env,
      });
      assert.equal(step.outcome, 'failure');
      assert.match(
        step.log,
        /Dry run: this deploy would change nothing and fail now: haproxy backend app sends traffic to blue and green, not one/,
      );
    } finally {
      await site.close();
    }
  });

  it('the ansible driver in slots: its check run gets the idle slot, as the real run does', async () => {
    requireBinary('ansible-playbook', 'ansible-core');
    const site = await haproxySite('dry-run-ansible');
    const playbook = path.join(site.dir, 'slot.yml');
    writeFileSync(
      playbook,
      [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - name: Say where the version goes',
        '      ansible.builtin.debug:',
        '        msg: "{{ version }} into slot {{ slot }} at {{ slot_address }}"',
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
          ...site.target,
          'state-dir': path.join(site.dir, 'state'),
          'dry-run': 'true',
        },
      });
      assert.equal(step.outputs.result, 'dry-run', step.log);
      assert.doesNotMatch(step.log, /'slot' is undefined/);
      assert.match(step.log, /check run: /);
    } finally {
      await site.close();
    }
  });
});
