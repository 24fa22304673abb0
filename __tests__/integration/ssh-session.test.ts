import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProcessRunner } from '../../src/clients/process-runner.ts';
import { parseSshEndpoint, type SshEndpoint } from '../../src/model/ssh-endpoint.ts';
import { SshSession, type SshSessionSettings } from '../../src/target/ssh-session.ts';
import { goneWithin } from '../fixtures/processes.ts';
import { startSshd, type TestSshd } from '../fixtures/sshd.ts';

const endpoint = (text: string): SshEndpoint => {
  const parsed = parseSshEndpoint(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
};

/** A key pair of its own: another host's key, or a key the host does not authorise. */
function otherKey(): { privateKey: string; publicKey: string } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'other-key-')), 'key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8') };
}

describe('SSH to a real sshd: the generated config, one quoted argv, strict host keys', () => {
  let web1: TestSshd;
  let jump: TestSshd;
  const runner = new ProcessRunner({ baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME } });
  before(async () => {
    [web1, jump] = await Promise.all([startSshd('ssh-web1'), startSshd('ssh-jump')]);
  });
  after(async () => {
    await Promise.all([web1?.close(), jump?.close()]);
  });
  const settings = (more: Partial<SshSessionSettings> = {}): SshSessionSettings => ({
    hosts: [{ name: 'web1', endpoint: endpoint(web1.ssh) }],
    jump: [],
    knownHosts: web1.knownHosts,
    privateKey: web1.privateKey,
    connectTimeoutSeconds: 5,
    ...more,
  });

  it('runs an argv on the host: hostile values arrive as exactly the arguments given, nothing of them run', async () => {
    const session = SshSession.open(settings(), runner, tmpdir());
    try {
      const hostile = [
        '$(touch /tmp/pwned-ssh)',
        '`id`',
        'a; echo ran',
        "it's",
        '"q"',
        '*',
        '-rf',
        '\nnewline',
        '',
      ];
      const result = await session.run('web1', ['printf', '%s\\0', ...hostile]);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual(result.stdout.split('\0').slice(0, -1), hostile);
      assert.equal(existsSync('/tmp/pwned-ssh'), false);
      // The key and the known hosts are the session's own: 0600 in a 0700 directory.
      assert.equal(statSync(session.dir).mode & 0o777, 0o700);
      assert.equal(statSync(path.join(session.dir, 'id_deploy')).mode & 0o777, 0o600);
      // One connection for the whole release: the master answers between calls.
      const check = await runner.run({
        argv: ['ssh', '-F', path.join(session.dir, 'ssh_config'), '-O', 'check', 'h1'],
      });
      assert.match(check.stderr, /Master running/);
    } finally {
      await session.close();
    }
    assert.equal(existsSync(session.dir), false, 'the key is gone with the session');
  });

  it('a remote command stopped here (a timeout, a cancel) is stopped on the host too', async () => {
    const session = SshSession.open(settings(), runner, tmpdir());
    try {
      const result = await session.run('web1', ['sleep', '31.7'], { timeoutMs: 1000 });
      assert.equal(result.timedOut, true);
      assert.ok(await goneWithin('sleep 31.7', 6000), 'the host stopped the command');
      // An ordinary command still ends with its own status.
      assert.equal((await session.run('web1', ['sh', '-c', 'exit 7'])).exitCode, 7);
    } finally {
      await session.close();
    }
  });

  it("a deep temp dir (a self-hosted runner's RUNNER_TEMP) still gets its connection: the socket goes where it fits", async () => {
    const deep = path.join(mkdtempSync(path.join(tmpdir(), 'deep-')), 'a'.repeat(40), 'b'.repeat(40));
    mkdirSync(deep, { recursive: true });
    const session = SshSession.open(settings(), runner, deep);
    try {
      const result = await session.run('web1', ['echo', 'reached']);
      assert.equal(result.stdout.trim(), 'reached', result.stderr);
    } finally {
      await session.close();
    }
    assert.deepEqual(readdirSync(deep), [], 'the session left nothing behind');
  });

  it('a host key not in known-hosts is refused, never trusted on first use: the error names the host and the key it showed', async () => {
    const session = SshSession.open(
      settings({ knownHosts: `[127.0.0.1]:1 ${otherKey().publicKey}` }),
      runner,
      tmpdir(),
    );
    try {
      const why = await session.check('web1');
      assert.match(
        why ?? '',
        new RegExp(
          `^web1 \\(${web1.user}@127\\.0\\.0\\.1:${web1.port}\\): its host key is not in known-hosts \\(it is never trusted on first use\\)`,
        ),
      );
      assert.ok(why?.includes(web1.fingerprint), `${why} names ${web1.fingerprint}`);
    } finally {
      await session.close();
    }
  });

  it('a changed host key is refused, naming the key it showed', async () => {
    const other = otherKey().publicKey.split(' ').slice(0, 2).join(' ');
    const session = SshSession.open(
      settings({ knownHosts: `[127.0.0.1]:${web1.port} ${other}` }),
      runner,
      tmpdir(),
    );
    try {
      const why = await session.check('web1');
      assert.match(why ?? '', /its host key changed: it showed SHA256:/);
      assert.ok(why?.includes(web1.fingerprint), `${why} names ${web1.fingerprint}`);
    } finally {
      await session.close();
    }
  });

  it('a key the host does not authorise: the login is refused, said so', async () => {
    const session = SshSession.open(settings({ privateKey: otherKey().privateKey }), runner, tmpdir());
    try {
      assert.match(
        (await session.check('web1')) ?? '',
        /the deploy user or its key was refused \(Permission denied\)/,
      );
    } finally {
      await session.close();
    }
  });

  it('through a ProxyJump hop: the hop logs the login, the command runs on the host', async () => {
    const session = SshSession.open(
      settings({
        jump: [endpoint(jump.ssh)],
        knownHosts: `${web1.knownHosts}\n${jump.knownHosts}`,
      }),
      runner,
      tmpdir(),
    );
    // The hop authorises the same deploy key.
    execFileSync('sh', [
      '-c',
      'cat "$1" >> "$2"',
      'sh',
      path.join(web1.dir, 'client_key.pub'),
      path.join(jump.dir, 'authorized_keys'),
    ]);
    try {
      const result = await session.run('web1', ['echo', 'through the hop']);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(result.stdout.trim(), 'through the hop');
      assert.match(jump.log(), /Accepted publickey for \S+ from 127\.0\.0\.1/);
    } finally {
      await session.close();
    }
  });

  it('through a chain of two hops: each hop logs its login, the command runs on the host', async () => {
    const second = await startSshd('ssh-jump2');
    try {
      for (const hop of [jump, second])
        execFileSync('sh', [
          '-c',
          'cat "$1" >> "$2"',
          'sh',
          path.join(web1.dir, 'client_key.pub'),
          path.join(hop.dir, 'authorized_keys'),
        ]);
      const session = SshSession.open(
        settings({
          jump: [endpoint(jump.ssh), endpoint(second.ssh)],
          knownHosts: [web1.knownHosts, jump.knownHosts, second.knownHosts].join('\n'),
        }),
        runner,
        tmpdir(),
      );
      try {
        const result = await session.run('web1', ['echo', 'through two hops']);
        assert.equal(result.exitCode, 0, result.stderr);
        assert.equal(result.stdout.trim(), 'through two hops');
        assert.match(jump.log(), /Accepted publickey/);
        assert.match(second.log(), /Accepted publickey/);
      } finally {
        await session.close();
      }
    } finally {
      await second.close();
    }
  });

  it('an unreachable host, and a hop whose key is not known: each a clear error naming where it stopped', async () => {
    const nobody = await startSshd('ssh-gone');
    await nobody.close();
    const unreachable = SshSession.open(
      settings({ hosts: [{ name: 'web9', endpoint: endpoint(nobody.ssh) }] }),
      runner,
      tmpdir(),
    );
    try {
      assert.match(
        (await unreachable.check('web9')) ?? '',
        /^web9 \(.*\): nothing listens for ssh there \(Connection refused\)/,
      );
    } finally {
      await unreachable.close();
    }
    const unknownHop = SshSession.open(settings({ jump: [endpoint(jump.ssh)] }), runner, tmpdir());
    try {
      const why = (await unknownHop.check('web1')) ?? '';
      assert.match(why, /^web1 \(/);
      assert.match(
        why,
        new RegExp(
          `the jump host ${jump.user}@127\\.0\\.0\\.1:${jump.port}: its host key is not in known-hosts`,
        ),
      );
      assert.ok(why.includes(jump.fingerprint), `${why} names the key the hop showed (${jump.fingerprint})`);
    } finally {
      await unknownHop.close();
    }
  });

  it('a key with a passphrase: unlocked into an agent of the session, never written unlocked; a wrong one fails once, said so', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'locked-key-')), 'key');
    const passphrase = 'correct horse $(touch /tmp/never) battery';
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', file]);
    execFileSync('sh', [
      '-c',
      'cat "$1" >> "$2"',
      'sh',
      `${file}.pub`,
      path.join(web1.dir, 'authorized_keys'),
    ]);
    const locked = readFileSync(file, 'utf8');
    const session = SshSession.open(
      settings({ privateKey: locked, keyPassphrase: passphrase }),
      runner,
      tmpdir(),
    );
    try {
      const result = await session.run('web1', ['echo', 'unlocked']);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(result.stdout.trim(), 'unlocked');
      for (const name of readdirSync(session.dir)) {
        if (statSync(path.join(session.dir, name)).isSocket()) continue;
        const text = readFileSync(path.join(session.dir, name), 'utf8');
        assert.ok(!text.includes(passphrase), `${name} does not hold the passphrase`);
        assert.ok(!/BEGIN OPENSSH PRIVATE KEY/.test(text) || text === locked, `${name} is no unlocked key`);
      }
    } finally {
      await session.close();
    }
    assert.equal(existsSync('/tmp/never'), false);
    const wrong = SshSession.open(
      settings({ privateKey: locked, keyPassphrase: 'not it' }),
      runner,
      tmpdir(),
    );
    try {
      assert.match(
        (await wrong.check('web1')) ?? '',
        /^web1: the deploy key could not be unlocked: ssh-key-passphrase is not its passphrase$/,
      );
    } finally {
      await wrong.close();
    }
    assert.ok(await goneWithin(session.dir, 3000), 'the agent stopped with the session');
  });
});
