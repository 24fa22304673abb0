import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProcessRunner } from '../../src/clients/process-runner.ts';
import { LocalTarget } from '../../src/target/local-target.ts';
import { SshTarget } from '../../src/target/ssh-target.ts';
import type { Target } from '../../src/target/target.ts';
import { startSshdSession } from '../fixtures/sshd.ts';

const runner = new ProcessRunner({ baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME } });

/** An artifact directory and the same as a .tar.gz, made on the runner. */
function artifacts(): { dir: string; tarball: string } {
  const base = mkdtempSync(path.join(tmpdir(), 'artifact-'));
  const dir = path.join(base, 'app');
  mkdirSync(path.join(dir, 'lib'), { recursive: true });
  writeFileSync(path.join(dir, 'server.js'), 'console.log("v1")\n');
  writeFileSync(path.join(dir, 'lib', "it's $(odd).txt"), 'odd name\n');
  const tarball = path.join(base, 'app.tar.gz');
  execFileSync('tar', ['-czf', tarball, '-C', dir, '.']);
  return { dir, tarball };
}

/**
 * The same contract for every target: the runner's machine, and a host over SSH (an sshd on
 * loopback, so its file system is this one and what it did is read back here directly).
 */
function contract(name: string, open: () => Target) {
  describe(`the target contract: ${name}`, () => {
    it('installs an artifact, a directory or a .tar.gz, whole, as a new release directory', async () => {
      const target = open();
      const root = mkdtempSync(path.join(tmpdir(), 'target-root-'));
      const { dir, tarball } = artifacts();
      const fromDir = path.join(root, 'releases', 'v1');
      const fromTar = path.join(root, 'releases', 'v2');
      await target.install(dir, fromDir);
      await target.install(tarball, fromTar);
      for (const release of [fromDir, fromTar]) {
        assert.equal(readFileSync(path.join(release, 'server.js'), 'utf8'), 'console.log("v1")\n');
        assert.equal(readFileSync(path.join(release, 'lib', "it's $(odd).txt"), 'utf8'), 'odd name\n');
        assert.ok(await target.exists(release));
      }
      const listed = await target.list(path.join(root, 'releases'));
      assert.deepEqual(listed.map((e) => e.name).sort(), ['v1', 'v2'], 'no staging directory left');
      for (const entry of listed)
        assert.ok(Math.abs(entry.mtimeMs - Date.now()) < 60_000, 'its time is the install');
      await assert.rejects(
        target.install(path.join(root, 'missing'), path.join(root, 'releases', 'v3')),
        /does not exist/,
      );
      assert.equal(existsSync(path.join(root, 'releases', 'v3')), false);
    });

    it('switches a link atomically and reads it back; resolves real paths; removes', async () => {
      const target = open();
      const root = mkdtempSync(path.join(tmpdir(), 'target-links-'));
      for (const v of ['v1', 'v2']) mkdirSync(path.join(root, 'releases', v), { recursive: true });
      const link = path.join(root, 'current');
      assert.equal(await target.readLink(link), undefined);
      await target.switchLink(link, path.join(root, 'releases', 'v1'));
      assert.equal(await target.readLink(link), path.join(root, 'releases', 'v1'));
      assert.equal(readlinkSync(link), 'releases/v1', 'relative, so the tree can move');
      // A reader never finds the link missing while it is switched.
      let missing = 0;
      let reading = true;
      const reader = (async () => {
        while (reading) {
          if (!lstatSync(link, { throwIfNoEntry: false })) missing++;
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      for (let i = 0; i < 10; i++)
        await target.switchLink(link, path.join(root, 'releases', i % 2 ? 'v1' : 'v2'));
      reading = false;
      await reader;
      assert.equal(missing, 0);
      assert.equal(await target.realPath(link), path.join(root, 'releases', 'v1'));
      await target.remove(path.join(root, 'releases', 'v2'));
      assert.equal(await target.exists(path.join(root, 'releases', 'v2')), false);
      assert.deepEqual(await target.list(path.join(root, 'nothing-here')), []);
    });

    it('runs commands there: in the directory given, with the variables given, values intact', async () => {
      const target = open();
      const dir = mkdtempSync(path.join(tmpdir(), 'target-cwd-'));
      const hostile = "v1; echo ran $(id) 'q' `x`";
      const result = await target.runner.run({
        command: 'pwd; printf "%s\\n" "$DEPLOY_VERSION"',
        cwd: dir,
        env: { DEPLOY_VERSION: hostile },
      });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(result.stdout, `${dir}\n${hostile}\n`);
      const argv = await target.runner.run({ argv: ['printf', '%s|', 'a b', '$HOME'] });
      assert.equal(argv.stdout, 'a b|$HOME|');
    });
  });
}

contract('the runner itself (LocalTarget)', () => new LocalTarget(runner));

describe('over SSH', () => {
  let site: Awaited<ReturnType<typeof startSshdSession>>;
  before(async () => {
    site = await startSshdSession('target-ssh', runner);
  });
  after(async () => {
    await site?.close();
  });
  contract('a host over SSH (SshTarget, a real sshd)', () => new SshTarget(site.session, 'web1'));
});
