import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Haproxy, startHaproxy } from '../fixtures/haproxy.ts';
import { startLoad } from '../fixtures/load.ts';
import { startSshd, type TestSshd } from '../fixtures/sshd.ts';
import { startVersionedService } from '../fixtures/versioned-service.ts';
import { runStep } from '../harness/run-action.ts';

/**
 * Blue-green when the slots live on a remote host: the driver and stop-command run on that host
 * over SSH (a real sshd on loopback, so what they did is read back here), HAProxy switches from
 * the runner, users call HAProxy throughout.
 */
describe('deploy action, strategy blue-green with the slots on a host over SSH', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bg-ssh-'));
  const temp = mkdtempSync(path.join(tmpdir(), 'bg-ssh-temp-'));
  let host: TestSshd;
  let haproxy: Haproxy;
  const services: { url: string; close(): Promise<void> }[] = [];
  let inputs: Record<string, string>;
  before(async () => {
    host = await startSshd('bg-ssh-host');
    services.push(
      ...(await Promise.all(['blue', 'green'].map((slot) => startVersionedService(path.join(dir, slot))))),
    );
    const [blue, green] = services.map((service) => Number(new URL(service.url).port));
    haproxy = await startHaproxy({ blue: blue!, green: green! }, 'none');
    inputs = {
      environment: 'production',
      strategy: 'blue-green',
      slots: `{ blue: "127.0.0.1:${blue}", green: "127.0.0.1:${green}" }`,
      'haproxy-socket': haproxy.socket,
      'haproxy-backend': 'app',
      'drain-timeout': '1s',
      'run-on': 'host',
      // $SSH_CONNECTION is set only in a session sshd opened: where each command ran.
      command: `echo "$DEPLOY_VERSION" > ${dir}/$DEPLOY_SLOT; echo "$SSH_CONNECTION" > ${dir}/$DEPLOY_SLOT.ran-over`,
      'stop-command': `echo "$DEPLOY_VERSION $SSH_CONNECTION" > ${dir}/$DEPLOY_SLOT.stopped`,
      'scale-down-delay': '1s',
      hosts: host.ssh,
      'known-hosts': host.knownHosts,
      'ssh-private-key': host.privateKey,
      'verify-probes': '- { name: slot, type: http, url: "{slot_url}/health", count: 2, interval: 50ms }',
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
    };
  });
  after(async () => {
    await haproxy?.close();
    await Promise.all([host?.close(), ...services.map((service) => service.close())]);
  });
  const deploy = (version: string) =>
    runStep('deploy', { with: { ...inputs, version }, env: { TMPDIR: temp }, hardTimeoutMs: 90_000 });
  const ranOnHost = (file: string) => {
    const text = readFileSync(path.join(dir, file), 'utf8').trim();
    assert.ok(text.endsWith(`127.0.0.1 ${host.port}`), `${file}: ${text} (ran over SSH on the host)`);
    return text;
  };

  it('releases into the idle slot on the host, switches with 0 failed requests; the old slot is stopped there', async () => {
    const first = await deploy('v1.0.0');
    assert.equal(first.outcome, 'success', first.log);
    const users = startLoad(haproxy.url, 4, 5);
    const second = await deploy('v2.0.0');
    const load = await users.stop();
    assert.equal(second.outcome, 'success', second.log);
    assert.equal(load.failed, 0, `failed user requests: ${load.samples.join('; ')}`);
    const [v1Slot, v2Slot] = ['blue', 'green'].sort((a, b) =>
      readFileSync(path.join(dir, a), 'utf8').localeCompare(readFileSync(path.join(dir, b), 'utf8')),
    );
    assert.equal(readFileSync(path.join(dir, v2Slot!), 'utf8').trim(), 'v2.0.0');
    ranOnHost(`${v2Slot}.ran-over`);
    // scale-down-delay 1s after the verified release, in the run: stop-command on the host.
    assert.match(ranOnHost(`${v1Slot}.stopped`), /^v1\.0\.0 /);
  });

  it('a version rejected on its slot is stopped there at once, on the host; users never reached it', async () => {
    const users = startLoad(haproxy.url, 4, 5);
    const bad = await deploy('v3.0.0-bad');
    const load = await users.stop();
    assert.equal(bad.outcome, 'failure');
    assert.equal(load.failed, 0, `failed user requests: ${load.samples.join('; ')}`);
    const slot = ['blue', 'green'].find((s) => readFileSync(path.join(dir, s), 'utf8').includes('bad'))!;
    assert.match(ranOnHost(`${slot}.stopped`), /^v3\.0\.0-bad /);
    assert.equal(existsSync(path.join(dir, 'state', 'production.json')), true);
    assert.equal(
      JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8')).current,
      'v2.0.0',
    );
  });

  it('a host per slot, named like it: each slot deployed and stopped on its own host', async () => {
    const other = await startSshd('bg-ssh-green');
    try {
      const perSlot = {
        hosts: `- { name: blue, ssh: "${host.ssh}" }\n- { name: green, ssh: "${other.ssh}" }`,
        'known-hosts': `${host.knownHosts}\n${other.knownHosts}`,
        'ssh-private-key': other.privateKey,
      };
      // One deploy key for both hosts.
      appendFileSync(
        path.join(host.dir, 'authorized_keys'),
        readFileSync(path.join(other.dir, 'client_key.pub')),
      );
      const portOf = { blue: host.port, green: other.port } as Record<string, number>;
      for (const version of ['v4.0.0', 'v5.0.0']) {
        const step = await runStep('deploy', {
          with: { ...inputs, ...perSlot, version },
          env: { TMPDIR: temp },
          hardTimeoutMs: 90_000,
        });
        assert.equal(step.outcome, 'success', step.log);
        const slot = ['blue', 'green'].find(
          (s) => readFileSync(path.join(dir, s), 'utf8').trim() === version,
        )!;
        const ranOn = readFileSync(path.join(dir, `${slot}.ran-over`), 'utf8').trim();
        assert.ok(ranOn.endsWith(` ${portOf[slot]}`), `${slot} was deployed on its own host (${ranOn})`);
      }
      // v4's slot was stopped scale-down-delay after v5 was verified, on that slot's host.
      const v4Slot = ['blue', 'green'].find(
        (s) => readFileSync(path.join(dir, s), 'utf8').trim() === 'v4.0.0',
      )!;
      const stopped = readFileSync(path.join(dir, `${v4Slot}.stopped`), 'utf8').trim();
      assert.match(stopped, new RegExp(`^v4\\.0\\.0 .* ${portOf[v4Slot]}$`));
    } finally {
      await other.close();
    }
  });
});
