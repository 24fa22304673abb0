import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSshd, type TestSshd } from '../fixtures/sshd.ts';
import { runStep, type StepOptions } from '../harness/run-action.ts';

/**
 * Preflight's SSH check against a real sshd: a login as the deploy user with the key from a
 * secret, the host key checked against known-hosts only. The key is planted and searched for in
 * everything the step leaves.
 */
describe('preflight: type ssh logs in as a release would (a real sshd on loopback)', () => {
  let sshd: TestSshd;
  before(async () => {
    sshd = await startSshd('preflight-ssh');
  });
  after(async () => {
    await sshd?.close();
  });
  const keyLines = () =>
    sshd.privateKey.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
  const check = (knownHosts: string) =>
    `- { type: ssh, host: "${sshd.ssh}", known-hosts: "${knownHosts}", key-secret: PRODUCTION_SSH_PRIVATE_KEY }`;
  // The steps' own temp dir (TMPDIR): other test files open SSH sessions in the shared one meanwhile.
  const temp = mkdtempSync(path.join(tmpdir(), 'preflight-ssh-temp-'));
  const sshDirs = () => readdirSync(temp).filter((name) => name.startsWith('deploy-actions-ssh-'));
  const inTemp = (action: string, options: StepOptions) =>
    runStep(action, { ...options, env: { TMPDIR: temp, ...options.env } });

  it('passes with the right host key and key; the key is masked and nowhere in what the step leaves', async () => {
    const before = new Set(sshDirs());
    const step = await inTemp('preflight', {
      with: { checks: check(sshd.knownHosts) },
      env: { PRODUCTION_SSH_PRIVATE_KEY: sshd.privateKey },
    });
    assert.equal(step.outcome, 'success', step.log);
    assert.match(
      step.summary,
      new RegExp(
        `logged in as ${sshd.user} on ${sshd.user}@127\\.0\\.0\\.1:${sshd.port}; its host key is one known-hosts gives`,
      ),
    );
    for (const line of keyLines()) {
      assert.ok(!step.log.includes(line), 'the key is not in the log');
      assert.ok(!step.summary.includes(line) && !JSON.stringify(step.outputs).includes(line));
    }
    // Each line of the key is registered as a mask (the runner then shows even the command as ***).
    assert.ok(
      step.commands.filter((c) => c.name === 'add-mask').length >= keyLines().length,
      'each line of the key is masked',
    );
    assert.deepEqual(
      sshDirs().filter((name) => !before.has(name)),
      [],
      'the key file is removed after the check',
    );
  });

  it('an unknown host key fails, naming the key the host showed; a missing secret says how to pass it', async () => {
    const step = await inTemp('preflight', {
      with: {
        checks: check(
          `[127.0.0.1]:${sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN0tTh3K3yTh1sIsN0tIt000000000000000000000000`,
        ),
      },
      env: { PRODUCTION_SSH_PRIVATE_KEY: sshd.privateKey },
    });
    assert.equal(step.outcome, 'failure');
    const [fact] = JSON.parse(step.outputs.report!).facts;
    assert.match(fact.detail, /its host key (changed|is not in known-hosts)/);
    assert.ok(fact.detail.includes(sshd.fingerprint), `${fact.detail} names ${sshd.fingerprint}`);
    assert.match(fact.fix, /compare the key it showed with the host/);

    const missing = await inTemp('preflight', { with: { checks: check(sshd.knownHosts) } });
    assert.equal(missing.outcome, 'failure');
    assert.match(
      JSON.parse(missing.outputs.report!).facts[0].fix,
      /env: \{ PRODUCTION_SSH_PRIVATE_KEY: \$\{\{ secrets\.PRODUCTION_SSH_PRIVATE_KEY \}\} \}/,
    );
  });

  it('bad input names the field: a host without its deploy user', async () => {
    const step = await inTemp('preflight', {
      with: { checks: '- { type: ssh, host: 10.0.0.11, known-hosts: "x" }' },
    });
    assert.equal(step.outcome, 'failure');
    assert.match(
      step.log,
      /checks.*host.*"10\.0\.0\.11" is not user@host\[:port\] \(the deploy user is required\)/,
    );
    assert.equal(existsSync(path.join(tmpdir(), 'never')), false);
  });

  it('what a release on the host needs, on the same login: free space under a directory, sudo without a password', async () => {
    const hostCheck = (more: string) =>
      `- { name: web1, type: ssh, host: "${sshd.ssh}", known-hosts: "${sshd.knownHosts}", key-secret: PRODUCTION_SSH_PRIVATE_KEY, ${more} }`;
    const step = await inTemp('preflight', {
      with: {
        checks: [
          hostCheck(`disk-path: "${sshd.dir}", min-free: 1MB`),
          hostCheck(`disk-path: "${sshd.dir}", min-free: 100%`).replace('web1', 'web1-full'),
          hostCheck('sudo: true').replace('web1', 'web1-sudo'),
        ].join('\n'),
      },
      env: { PRODUCTION_SSH_PRIVATE_KEY: sshd.privateKey },
    });
    const facts = JSON.parse(step.outputs.report!).facts;
    const [room, full, sudo] = facts;
    assert.equal(room.ok, true, room.detail);
    assert.match(
      room.detail,
      new RegExp(
        `; ${sshd.dir.replaceAll('/', '\\/')} on web1: \\d+ \\w+ free \\([\\d.]+%\\), at least 1(\\.0)? MB needed`,
      ),
    );
    assert.equal(full.ok, false);
    assert.match(full.detail, /less than the 100% needed/);
    // The "host" is this machine: sudo -n behaves there as it does here.
    const sudoHere = spawnSync('sudo', ['-n', 'true']).status === 0;
    assert.equal(sudo.ok, sudoHere, sudo.detail);
    if (!sudoHere)
      assert.match(
        sudo.detail,
        /`sudo -n true` fails there: the deploy user cannot use sudo without a password/,
      );
    const half = await inTemp('preflight', { with: { checks: hostCheck(`disk-path: "${sshd.dir}"`) } });
    assert.equal(half.outcome, 'failure');
    assert.match(half.log, /disk-path and min-free go together/);
  });

  it('hostile values reach the host as one argument each: a disk-path that is a command runs nothing', async () => {
    const planted = path.join(tmpdir(), `preflight-hostile-${process.pid}`);
    const step = await inTemp('preflight', {
      with: {
        checks: `- { type: ssh, host: "${sshd.ssh}", known-hosts: "${sshd.knownHosts}", key-secret: PRODUCTION_SSH_PRIVATE_KEY, disk-path: "-x; touch ${planted} $(touch ${planted})", min-free: 1MB }`,
      },
      env: { PRODUCTION_SSH_PRIVATE_KEY: sshd.privateKey },
    });
    assert.equal(step.outcome, 'failure');
    assert.match(JSON.parse(step.outputs.report!).facts[0].detail, /did not say its free space/);
    assert.equal(existsSync(planted), false, 'nothing the value held ran');
  });

  it('a key with a passphrase: unlocked as a release does; the passphrase masked and nowhere; a wrong one said so', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'preflight-locked-')), 'key');
    const passphrase = `preflight-${process.pid}-phrase`;
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', file]);
    appendFileSync(path.join(sshd.dir, 'authorized_keys'), readFileSync(`${file}.pub`));
    const checks = `- { type: ssh, host: "${sshd.ssh}", known-hosts: "${sshd.knownHosts}", key-secret: DEPLOY_KEY, passphrase-secret: DEPLOY_KEY_PASSPHRASE }`;
    const step = await inTemp('preflight', {
      with: { checks },
      env: { DEPLOY_KEY: readFileSync(file, 'utf8'), DEPLOY_KEY_PASSPHRASE: passphrase },
    });
    assert.equal(step.outcome, 'success', step.log);
    for (const text of [step.log, step.summary, JSON.stringify(step.outputs)])
      assert.ok(!text.includes(passphrase), 'the passphrase is nowhere');
    const wrong = await inTemp('preflight', {
      with: { checks },
      env: { DEPLOY_KEY: readFileSync(file, 'utf8'), DEPLOY_KEY_PASSPHRASE: 'not it' },
    });
    assert.equal(wrong.outcome, 'failure');
    assert.match(JSON.parse(wrong.outputs.report!).facts[0].detail, /could not be unlocked/);
  });
});
