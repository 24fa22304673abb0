import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProcessRunner } from '../../src/clients/process-runner.ts';
import { createReleasesDriver } from '../../src/deploy/drivers/releases-driver.ts';
import { SshTarget } from '../../src/target/ssh-target.ts';
import { recordingLogger } from '../fixtures/recording-logger.ts';
import { startSshdSession } from '../fixtures/sshd.ts';

const runner = new ProcessRunner({ baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME } });

/**
 * The releases driver, unchanged, on a host over SSH: the artifact sent once, releases/<version>
 * on the host, current switched atomically there, the restart run there (in the releases root,
 * with DEPLOY_VERSION), a failing restart switching back, retention on the host.
 */
describe('the releases driver on a host over SSH (a real sshd on loopback)', () => {
  let site: Awaited<ReturnType<typeof startSshdSession>>;
  before(async () => {
    site = await startSshdSession('releases-ssh', runner);
  });
  after(async () => {
    await site?.close();
  });

  it('installs, switches, restarts there; a failing restart goes back; old releases pruned', async () => {
    const artifacts = mkdtempSync(path.join(tmpdir(), 'releases-artifacts-'));
    for (const v of ['v1', 'v2', 'v3', 'v4']) {
      mkdirSync(path.join(artifacts, v));
      writeFileSync(path.join(artifacts, v, 'VERSION'), v);
    }
    writeFileSync(path.join(artifacts, 'v3', 'BROKEN'), '');
    const root = mkdtempSync(path.join(tmpdir(), 'releases-host-'));
    const { logger, lines } = recordingLogger();
    const driver = createReleasesDriver(
      {
        kind: 'releases',
        releasesDir: root,
        artifact: path.join(artifacts, '{version}'),
        // Runs on the host, in the releases root: fails for a release marked broken.
        restartCommand: 'test ! -e current/BROKEN && echo "$DEPLOY_VERSION" > restarted',
        keepReleases: 2,
      },
      new SshTarget(site.session, 'web1'),
      logger,
    );
    const deploy = (version: string) =>
      driver.run({
        version,
        environment: 'production',
        attempt: 1,
        timeoutMs: 60_000,
        signal: new AbortController().signal,
      });
    assert.match(driver.plan('v1'), / on web1, /);

    await deploy('v1');
    await deploy('v2');
    assert.equal(readlinkSync(path.join(root, 'current')), 'releases/v2');
    assert.equal(readFileSync(path.join(root, 'restarted'), 'utf8').trim(), 'v2');

    await assert.rejects(deploy('v3'), /the restart command/);
    assert.equal(readlinkSync(path.join(root, 'current')), 'releases/v2', 'switched back');
    assert.ok(
      lines.some((line) => /switched .*current back to .*releases\/v2/.test(line)),
      lines.join('\n'),
    );
    assert.equal(
      readFileSync(path.join(root, 'restarted'), 'utf8').trim(),
      'v2',
      'the old release restarted',
    );

    await deploy('v4');
    assert.equal(readlinkSync(path.join(root, 'current')), 'releases/v4');
    // keep 2 (v4, v3), and never the release just replaced (v2, the way back); nothing staged left.
    assert.deepEqual(readdirSync(path.join(root, 'releases')).sort(), ['v2', 'v3', 'v4']);
    assert.equal(existsSync(path.join(root, 'releases', 'v1')), false);
  });

  it('a directory artifact goes with rsync --link-dest: unchanged files are hard links to the previous release, nothing of a hostile path runs', async () => {
    const artifacts = mkdtempSync(path.join(tmpdir(), 'releases-rsync-'));
    const big = Buffer.alloc(1024 * 1024, 7);
    for (const v of ['v1', 'v2']) {
      mkdirSync(path.join(artifacts, v));
      writeFileSync(path.join(artifacts, v, 'VERSION'), v);
      writeFileSync(path.join(artifacts, v, 'lib.bin'), big);
    }
    const planted = path.join(tmpdir(), `rsync-planted-${process.pid}`);
    const root = path.join(
      mkdtempSync(path.join(tmpdir(), 'releases-rsync-host-')),
      `app $(touch ${planted}) 'x'`,
    );
    const driver = createReleasesDriver(
      { kind: 'releases', releasesDir: root, artifact: path.join(artifacts, '{version}'), keepReleases: 5 },
      new SshTarget(site.session, 'web1'),
      recordingLogger().logger,
    );
    for (const version of ['v1', 'v2'])
      await driver.run({
        version,
        environment: 'production',
        attempt: 1,
        timeoutMs: 60_000,
        signal: new AbortController().signal,
      });
    const [v1, v2] = ['v1', 'v2'].map((v) => statSync(path.join(root, 'releases', v, 'lib.bin')));
    assert.equal(v2!.ino, v1!.ino, "lib.bin of v2 is v1's, hard-linked, not sent again");
    assert.equal(readFileSync(path.join(root, 'releases', 'v2', 'VERSION'), 'utf8'), 'v2');
    assert.equal(readlinkSync(path.join(root, 'current')), 'releases/v2');
    assert.equal(existsSync(planted), false, 'nothing of the path ran');
  });
});
