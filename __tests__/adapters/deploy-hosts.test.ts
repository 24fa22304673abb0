import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDeploySettings } from '../../src/settings/deploy.ts';
import { goneWithin } from '../fixtures/processes.ts';
import { startSshd, type TestSshd } from '../fixtures/sshd.ts';
import { startVersionedService } from '../fixtures/versioned-service.ts';
import { runPostStep, runStep, type StepOptions } from '../harness/run-action.ts';

/**
 * The deploy action on remote hosts over SSH, as the runner runs it: two real sshd on loopback
 * stand for two hosts (their file system is this one, so what they did is read back here).
 */
describe('deploy action with hosts: over SSH, one host after the other', () => {
  let web1: TestSshd;
  let web2: TestSshd;
  before(async () => {
    [web1, web2] = await Promise.all([startSshd('hosts-web1'), startSshd('hosts-web2')]);
    // One deploy key for the fleet.
    writeFileSync(
      path.join(web2.dir, 'authorized_keys'),
      readFileSync(path.join(web1.dir, 'client_key.pub')),
    );
  });
  after(async () => {
    await Promise.all([web1?.close(), web2?.close()]);
  });
  // The steps' own temp dir (TMPDIR): other test files open SSH sessions in the shared one meanwhile.
  const temp = mkdtempSync(path.join(tmpdir(), 'hosts-temp-'));
  const sshDirs = () => readdirSync(temp).filter((name) => name.startsWith('deploy-actions-ssh-'));
  const inTemp = (action: string, options: StepOptions) =>
    runStep(action, { ...options, env: { TMPDIR: temp, ...options.env } });
  const keyLines = () =>
    web1.privateKey.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));

  it('the releases driver on a host: installed, switched and restarted there; the key masked, recorded nowhere, removed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-hosts-'));
    for (const version of ['v1.0.0', 'v2.0.0']) {
      mkdirSync(path.join(dir, 'artifacts', version), { recursive: true });
      writeFileSync(path.join(dir, 'artifacts', version, 'VERSION'), version);
    }
    const before = new Set(sshDirs());
    const inputs = {
      environment: 'production',
      driver: 'releases',
      'releases-dir': path.join(dir, 'app'),
      artifact: path.join(dir, 'artifacts', '{version}'),
      'restart-command': 'cat current/VERSION > restarted-on-$DEPLOY_HOST',
      hosts: `- { name: web1, ssh: "${web1.ssh}", address: "127.0.0.1:8080" }`,
      'known-hosts': web1.knownHosts,
      'ssh-private-key': web1.privateKey,
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
    };
    for (const version of ['v1.0.0', 'v2.0.0']) {
      const step = await inTemp('deploy', { with: { ...inputs, version } });
      assert.equal(step.outcome, 'success', step.log);
      assert.equal(step.outputs.result, 'deployed');
      assert.match(step.log, new RegExp(`On web1 \\(${web1.user}@127\\.0\\.0\\.1:${web1.port}\\): releases`));
      for (const line of keyLines()) {
        assert.ok(!step.log.includes(line), 'the key is not in the log');
        assert.ok(!step.summary.includes(line) && !JSON.stringify(step.outputs).includes(line));
      }
    }
    assert.equal(readlinkSync(path.join(dir, 'app', 'current')), 'releases/v2.0.0');
    assert.equal(readFileSync(path.join(dir, 'app', 'restarted-on-web1'), 'utf8'), 'v2.0.0');
    const state = readFileSync(path.join(dir, 'state', 'production.json'), 'utf8');
    for (const line of keyLines()) assert.ok(!state.includes(line), 'the key is not in the state');
    assert.deepEqual(JSON.parse(state).current, 'v2.0.0');
    assert.deepEqual(
      sshDirs().filter((name) => !before.has(name)),
      [],
      'the key file went with the release',
    );
  });

  it('the command driver on two hosts, one after the other: on each host (run-on: host), or here with DEPLOY_SSH', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-hosts-command-'));
    const log = path.join(dir, 'ran');
    const common = {
      environment: 'production',
      hosts: `- { name: web1, ssh: "${web1.ssh}", address: "127.0.0.1:8081" }\n- { name: web2, ssh: "${web2.ssh}", address: "127.0.0.1:8082" }`,
      'known-hosts': `${web1.knownHosts}\n${web2.knownHosts}`,
      'ssh-private-key': web1.privateKey,
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
    };
    const onHost = await inTemp('deploy', {
      with: {
        ...common,
        version: 'v1.0.0',
        'run-on': 'host',
        command: `echo "host $DEPLOY_HOST $DEPLOY_HOST_ADDRESS $DEPLOY_VERSION $SSH_CONNECTION" >> ${log}`,
      },
    });
    assert.equal(onHost.outcome, 'success', onHost.log);
    const onRunner = await inTemp('deploy', {
      with: {
        ...common,
        version: 'v2.0.0',
        command: `echo "runner $DEPLOY_HOST $DEPLOY_SSH $DEPLOY_VERSION" >> ${log}`,
      },
    });
    assert.equal(onRunner.outcome, 'success', onRunner.log);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.match(
      lines[0]!,
      new RegExp(
        `^host web1 127\\.0\\.0\\.1:8081 v1\\.0\\.0 127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${web1.port}$`,
      ),
      'ran over ssh on web1',
    );
    assert.match(
      lines[1]!,
      new RegExp(
        `^host web2 127\\.0\\.0\\.1:8082 v1\\.0\\.0 127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${web2.port}$`,
      ),
    );
    assert.deepEqual(lines.slice(2), [`runner web1 ${web1.ssh} v2.0.0`, `runner web2 ${web2.ssh} v2.0.0`]);
  });

  it('a host whose key is not the one given: the deploy fails naming the host and the key it showed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-hosts-key-'));
    const step = await inTemp('deploy', {
      with: {
        environment: 'production',
        version: 'v1.0.0',
        command: 'true',
        'run-on': 'host',
        hosts: web1.ssh,
        'known-hosts': web2.knownHosts.replace(String(web2.port), String(web1.port)),
        'ssh-private-key': web1.privateKey,
        'state-dir': path.join(dir, 'state'),
        attempts: '1',
      },
    });
    assert.equal(step.outcome, 'failure');
    assert.match(
      step.log,
      /127\.0\.0\.1 \(.*\): its host key changed: it showed SHA256:.*: no host was changed/,
    );
    // Refused before the driver ran: nothing on any host changed, and the record says so.
    assert.doesNotMatch(step.log, /production may have changed/);
    assert.ok(step.log.includes(web1.fingerprint), 'names the key web1 showed');
  });

  it('killed with kill -9 mid-release: the post step removes the SSH directory and the key in it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-hosts-kill-'));
    const before = new Set(sshDirs());
    const main = await inTemp('deploy', {
      with: {
        environment: 'production',
        version: 'v1.0.0',
        command: 'sleep 32.3',
        'run-on': 'host',
        hosts: web1.ssh,
        'known-hosts': web1.knownHosts,
        'ssh-private-key': web1.privateKey,
        'state-dir': path.join(dir, 'state'),
        attempts: '1',
      },
      killWhen: /On 127\.0\.0\.1 /,
    });
    assert.notEqual(main.outcome, 'success');
    const left = sshDirs().filter((name) => !before.has(name));
    assert.equal(left.length, 1, 'kill -9 ran no clean-up: the directory is still there');
    assert.ok(readdirSync(path.join(temp, left[0]!)).includes('id_deploy'));
    const post = await runPostStep('deploy', main);
    assert.ok(
      await goneWithin('sleep 32.3', 6000),
      'the command on the host stopped when the step was killed',
    );
    assert.equal(post.outcome, 'success', post.log);
    assert.deepEqual(
      sshDirs().filter((name) => !before.has(name)),
      [],
      'the post step swept it',
    );
  });

  it('each host is verified on its own address before the next is touched: a broken release stops at the first host', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-hosts-verify-'));
    const [service1, service2] = await Promise.all([
      startVersionedService(path.join(dir, 'web1')),
      startVersionedService(path.join(dir, 'web2')),
    ]);
    const address = (url: string) => url.replace('http://', '');
    const inputs = {
      environment: 'production',
      // The "deploy": the host's service now runs $DEPLOY_VERSION.
      command: `echo "$DEPLOY_VERSION" > ${dir}/$DEPLOY_HOST`,
      hosts: `- { name: web1, ssh: "${web1.ssh}", address: "${address(service1.url)}" }\n- { name: web2, ssh: "${web2.ssh}", address: "${address(service2.url)}" }`,
      'known-hosts': `${web1.knownHosts}\n${web2.knownHosts}`,
      'ssh-private-key': web1.privateKey,
      'verify-probes': '- { name: host, type: http, url: "{host_url}/health", count: 2, interval: 50ms }',
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
    };
    try {
      const good = await inTemp('deploy', { with: { ...inputs, version: 'v1.0.0' } });
      assert.equal(good.outcome, 'success', good.log);
      assert.match(good.log, /Verifying v1\.0\.0 on web1 before the next host[\s\S]*On web2/);
      const bad = await inTemp('deploy', { with: { ...inputs, version: 'v2.0.0-bad' } });
      assert.equal(bad.outcome, 'failure');
      assert.match(bad.log, /on web1: verification failed: .*status 503.*; web2 not deployed/);
      assert.equal(readFileSync(path.join(dir, 'web2'), 'utf8').trim(), 'v1.0.0', 'web2 was never touched');
    } finally {
      await Promise.all([service1.close(), service2.close()]);
    }
  });

  it('the dry run names the hosts and reaches none of them', async () => {
    const before = new Set(sshDirs());
    const step = await inTemp('deploy', {
      with: {
        environment: 'production',
        version: 'v1.0.0',
        command: './deploy.sh',
        hosts: '- { name: web1, ssh: deploy@10.255.255.1 }\n- { name: web2, ssh: deploy@10.255.255.2 }',
        'known-hosts': web1.knownHosts,
        'state-dir': path.join(mkdtempSync(path.join(tmpdir(), 'deploy-hosts-dry-')), 'state'),
        'dry-run': 'true',
      },
    });
    assert.equal(step.outcome, 'success', step.log);
    assert.match(
      step.log,
      /on web1, web2, one after the other: run `\.\/deploy\.sh` with DEPLOY_VERSION=v1\.0\.0/,
    );
    assert.deepEqual(
      sshDirs().filter((name) => !before.has(name)),
      [],
      'no session was opened',
    );
  });

  it('refuses what would be ignored or unsafe, naming the input', () => {
    const parse = (inputs: Record<string, string>) =>
      parseDeploySettings({ environment: 'production', version: 'v1', command: 'true', ...inputs }, () => '');
    const refused: [Record<string, string>, RegExp][] = [
      [{ 'known-hosts': 'x' }, /known-hosts.*only used with hosts/],
      [{ 'ssh-private-key': 'x' }, /ssh-private-key.*only used with hosts/],
      [{ hosts: 'deploy@10.0.0.11' }, /known-hosts.*is required with hosts.*never trusted on first use/],
      [{ hosts: '10.0.0.11', 'known-hosts': 'x' }, /hosts.*the deploy user is required/],
      [
        { hosts: 'deploy@10.0.0.11', 'known-hosts': 'x', 'run-on': 'somewhere' },
        /run-on.*not runner or host/,
      ],
      [
        { hosts: '- { name: a, ssh: d@h1 }\n- { name: a, ssh: d@h2 }', 'known-hosts': 'x' },
        /hosts.*"a" is named twice/,
      ],
      [
        { hosts: 'deploy@10.0.0.11', 'known-hosts': 'x', 'ssh-jump': 'bastion' },
        /ssh-jump.*the deploy user is required/,
      ],
      [
        { 'verify-probes': '- { name: h, type: http, url: "{host_url}/health" }' },
        /verify-probes.*names a host.*which only hosts have/,
      ],
      [
        {
          hosts: 'deploy@10.0.0.11',
          'known-hosts': 'x',
          'verify-probes': '- { name: h, type: http, url: "{host_url}/health" }',
        },
        /hosts.*10\.0\.0\.11 has no address, which \{host_url\}/,
      ],
    ];
    for (const [inputs, problem] of refused)
      assert.throws(
        () => parse(inputs),
        (error: Error & { input?: string }) => problem.test(`${error.input} ${error.message}`),
        JSON.stringify(inputs),
      );
  });

  it('a deploy key with a passphrase: the release unlocks it; the passphrase is masked and in nothing it leaves', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-hosts-passphrase-'));
    const passphrase = `pass-${process.pid}-phrase`;
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', path.join(dir, 'key')]);
    appendFileSync(path.join(web1.dir, 'authorized_keys'), readFileSync(path.join(dir, 'key.pub')));
    const step = await inTemp('deploy', {
      with: {
        environment: 'production',
        version: 'v1.0.0',
        'run-on': 'host',
        command: `echo "$DEPLOY_VERSION" > ${dir}/ran`,
        hosts: web1.ssh,
        'known-hosts': web1.knownHosts,
        'ssh-private-key': readFileSync(path.join(dir, 'key'), 'utf8'),
        'ssh-key-passphrase': passphrase,
        'state-dir': path.join(dir, 'state'),
        attempts: '1',
      },
    });
    assert.equal(step.outcome, 'success', step.log);
    assert.equal(readFileSync(path.join(dir, 'ran'), 'utf8').trim(), 'v1.0.0');
    const left = [
      step.log,
      step.summary,
      JSON.stringify(step.outputs),
      readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'),
    ];
    for (const text of left) assert.ok(!text.includes(passphrase), 'the passphrase is nowhere');
    assert.ok(
      step.commands.some((c) => c.name === 'add-mask'),
      'masked',
    );
  });

  it('version-command runs on each host, right after its deploy: a host still running the old version stops the release there', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-hosts-version-'));
    // Which host a command runs on, as sshd sees it: the port it accepted the connection on.
    const here = `${dir}/$(echo "$SSH_CONNECTION" | cut -d " " -f 4)`;
    const inputs = {
      environment: 'production',
      'run-on': 'host',
      hosts: `- { name: web1, ssh: "${web1.ssh}" }\n- { name: web2, ssh: "${web2.ssh}" }`,
      'known-hosts': `${web1.knownHosts}\n${web2.knownHosts}`,
      'ssh-private-key': web1.privateKey,
      'version-command': `cat ${here}`,
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
    };
    const good = await inTemp('deploy', {
      with: { ...inputs, version: 'v1.0.0', command: `echo "$DEPLOY_VERSION" > ${here}` },
    });
    assert.equal(good.outcome, 'success', good.log);
    assert.match(
      good.log,
      /Verifying v1\.0\.0 on web1 before the next host[\s\S]*Verifying v1\.0\.0 on web2/,
    );
    // web2's service does not take the new version: its own version-command says so.
    const stale = await inTemp('deploy', {
      with: {
        ...inputs,
        version: 'v2.0.0',
        command: `[ "$DEPLOY_HOST" = web2 ] || echo "$DEPLOY_VERSION" > ${here}`,
      },
    });
    assert.equal(stale.outcome, 'failure');
    assert.match(stale.log, /on web2: verification failed: .*v1\.0\.0/);
    assert.equal(readFileSync(path.join(dir, String(web1.port)), 'utf8').trim(), 'v2.0.0');
  });

  it('with run-on: host the pre- and post-deploy hooks run on each host; one failing on web2 stops the deploy before any host changed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-hosts-hooks-'));
    const hook = (name: string) =>
      `echo "${name} $DEPLOY_HOST $DEPLOY_VERSION $(echo "$SSH_CONNECTION" | cut -d " " -f 4)" >> ${dir}/hooks`;
    const inputs = {
      environment: 'production',
      'run-on': 'host',
      command: `echo "$DEPLOY_VERSION" > ${dir}/$DEPLOY_HOST`,
      hosts: `- { name: web1, ssh: "${web1.ssh}" }\n- { name: web2, ssh: "${web2.ssh}" }`,
      'known-hosts': `${web1.knownHosts}\n${web2.knownHosts}`,
      'ssh-private-key': web1.privateKey,
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
    };
    const step = await inTemp('deploy', {
      with: { ...inputs, version: 'v1.0.0', 'pre-deploy': hook('pre'), 'post-deploy': hook('post') },
    });
    assert.equal(step.outcome, 'success', step.log);
    assert.deepEqual(readFileSync(path.join(dir, 'hooks'), 'utf8').trim().split('\n'), [
      `pre web1 v1.0.0 ${web1.port}`,
      `pre web2 v1.0.0 ${web2.port}`,
      `post web1 v1.0.0 ${web1.port}`,
      `post web2 v1.0.0 ${web2.port}`,
    ]);
    const stopped = await inTemp('deploy', {
      with: { ...inputs, version: 'v2.0.0', 'pre-deploy': '[ "$DEPLOY_HOST" != web2 ]' },
    });
    assert.equal(stopped.outcome, 'failure');
    assert.match(stopped.log, /the pre-deploy hook on web2 exited 1/);
    assert.deepEqual(
      ['web1', 'web2'].map((host) => readFileSync(path.join(dir, host), 'utf8').trim()),
      ['v1.0.0', 'v1.0.0'],
      'no host was deployed',
    );
  });
});
