import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { FileStateStore } from '../../src/clients/file-state-store.ts';
import { CLI, runCli } from '../fixtures/run-cli.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';

const deployFlags = (stateDir: string, version: string, command = 'true') => [
  'deploy',
  '--environment',
  'production',
  '--version',
  version,
  '--command',
  command,
  '--state-dir',
  stateDir,
  '--attempts',
  '1',
];
const state = (stateDir: string) => JSON.parse(readFileSync(path.join(stateDir, 'production.json'), 'utf8'));

/** A tmpfs of `size` mounted on a fresh directory (root only: CI runs as root), unmounted after the suite. */
const mounts: string[] = [];
function smallDisk(size: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  } catch (error) {
    throw new Error(
      `these tests mount a tmpfs to fill a disk: run them as root (${(error as Error).message})`,
    );
  }
  mounts.push(dir);
  return dir;
}
after(() => {
  for (const dir of mounts) execFileSync('umount', ['-l', dir]);
});

describe('state that cannot be read is told apart, and never silently reset', () => {
  it('a JSON file that is not ours is refused like a corrupt one; the file and its backup keep their bytes', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'foreign-'));
    writeFileSync(path.join(stateDir, 'production.json'), '{"unrelated": true}\n');
    writeFileSync(path.join(stateDir, 'production.json.bak'), '{"also": "theirs"}\n');
    const run = await runCli(deployFlags(stateDir, 'v1'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /production\.json cannot be read: it is not a deploy state file/);
    assert.equal(readFileSync(path.join(stateDir, 'production.json'), 'utf8'), '{"unrelated": true}\n');
    assert.equal(readFileSync(path.join(stateDir, 'production.json.bak'), 'utf8'), '{"also": "theirs"}\n');
  });

  it('a state file this user may not read: the fix is access, never "move it aside"', async () => {
    // The directory is open to all (as a shared state-dir would be); the file belongs to another user.
    const stateDir = mkdtempSync(path.join(tmpdir(), 'eacces-'));
    chmodSync(stateDir, 0o777);
    const file = path.join(stateDir, 'production.json');
    writeFileSync(file, '{"schemaVersion":2,"environment":"production","current":"v1","releases":[]}\n');
    chmodSync(file, 0o600);
    // As an unprivileged user (root reads anything): setpriv from util-linux.
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          CLI,
          ...deployFlags(stateDir, 'v2'),
        ],
        { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: stateDir } },
      );
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /cannot be read \(EACCES: permission denied.*its history is intact: give the user running deploys read and write access/,
    );
    assert.doesNotMatch(run.stderr, /mv |move it aside to/);
  });

  it('a state-dir that cannot be made is bad input naming state-dir (exit 2)', async () => {
    const blocker = path.join(mkdtempSync(path.join(tmpdir(), 'blocked-')), 'a-file');
    writeFileSync(blocker, '');
    const run = await runCli(deployFlags(path.join(blocker, 'state'), 'v1'));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /error: --state-dir: ".*a-file\/state" cannot be made \(ENOTDIR\)/);
  });
});

describe('a full disk and a killed deploy leave nothing that blocks or lies', () => {
  it('a deploy started on a full disk fails clearly and leaves no empty lock ticket; once space is freed the next deploy goes at once', async () => {
    const disk = smallDisk('64k');
    const stateDir = path.join(disk, 'state');
    mkdirSync(stateDir);
    const fill = path.join(disk, 'fill');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${fill}`, 'bs=1k', 'count=1024'], { stdio: 'ignore' });
    } catch {
      // dd stops at "no space left": the disk is full, as wanted
    }
    const full = await runCli(deployFlags(stateDir, 'v1'));
    assert.equal(full.code, 1, full.stderr);
    assert.match(full.stderr, /ENOSPC/);
    const lockDir = path.join(stateDir, 'production.lock');
    const left = existsSync(lockDir) ? readdirSync(lockDir) : [];
    assert.deepEqual(left, [], 'no ticket, empty or not');
    rmSync(fill);
    const next = await runCli([...deployFlags(stateDir, 'v1'), '--lock-timeout', '5s']);
    assert.equal(next.code, 0, next.stderr);
  });

  it('an empty ticket an older writer left behind blocks nobody', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'empty-ticket-'));
    const lockDir = path.join(stateDir, 'production.lock');
    mkdirSync(lockDir, { recursive: true });
    const ticket = path.join(lockDir, '000000000001.ticket');
    writeFileSync(ticket, '');
    const old = new Date(Date.now() - 10_000);
    utimesSync(ticket, old, old);
    // The lease is 2 minutes: a lock timeout of 5 s proves the empty ticket was not waited for.
    const run = await runCli([...deployFlags(stateDir, 'v1'), '--lock-timeout', '5s']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(state(stateDir).current, 'v1');
  });

  it('the disk fills during the release: reported as deployed but not recorded, with what to do; never a bare error', async () => {
    const disk = smallDisk('256k');
    const stateDir = path.join(disk, 'state');
    const fill = path.join(disk, 'fill');
    assert.equal((await runCli(deployFlags(stateDir, 'v1'))).code, 0);
    const filler = `dd if=/dev/zero of=${fill} bs=1k count=4096 2>/dev/null; true`;
    const run = await runCli([...deployFlags(stateDir, 'v2', filler), '--json']);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.result, 'deployed');
    assert.match(report.unrecorded, /ENOSPC/);
    assert.match(
      run.stderr,
      /Deployed v2 to production .* It could not be recorded \(ENOSPC.*until a deploy of v2 records it/,
    );
    rmSync(fill);
    // What the disk kept says v2 began: the next run settles it as live and unverified, never "v1, verified".
    const status = JSON.parse(
      (await runCli(['status', '--environment', 'production', '--state-dir', stateDir, '--json'])).stdout,
    );
    assert.equal(status.verified, false);
    const again = await runCli(deployFlags(stateDir, 'v2'));
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(
      state(stateDir).releases.map((r: { version: string; status: string }) => `${r.version}:${r.status}`),
      ['v1:good', 'v2:interrupted', 'v2:good'],
    );
  });

  it('kill -9 of the deploy alone: its driver runs on, and the next deploy waits for it instead of running beside it', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'orphan-'));
    const log = path.join(stateDir, 'order.log');
    const gate = path.join(stateDir, 'gate');
    const driver = `echo "start $DEPLOY_VERSION" >> ${log}; while [ ! -e ${gate} ]; do sleep 0.02; done; echo "end $DEPLOY_VERSION" >> ${log}`;
    const first = spawn(process.execPath, [CLI, ...deployFlags(stateDir, 'v1', driver)], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    });
    while (!existsSync(log)) await new Promise((r) => setTimeout(r, 10));
    first.kill('SIGKILL'); // the node process only: its driver's process group lives on
    await new Promise((r) => first.once('exit', r));
    const second = runCli(deployFlags(stateDir, 'v2', driver));
    await new Promise((r) => setTimeout(r, 1000));
    writeFileSync(gate, '');
    const next = await second;
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stdout, /Waiting for the production lock/);
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
      'start v1',
      'end v1',
      'start v2',
      'end v2',
    ]);
    assert.deepEqual(
      state(stateDir).releases.map((r: { version: string; status: string }) => `${r.version}:${r.status}`),
      ['v1:interrupted', 'v2:good'],
      'nothing stays "deploying" forever',
    );
  });
});

describe('a lock held by the commands of a deploy that was killed', () => {
  it('the timeout names the process group still running and how to stop it, not only the dead pid', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'orphan-timeout-'));
    const started = path.join(stateDir, 'started');
    const driver = `touch ${started}; sleep 30`;
    const first = spawn(process.execPath, [CLI, ...deployFlags(stateDir, 'v1', driver)], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    });
    try {
      while (!existsSync(started)) await new Promise((r) => setTimeout(r, 10));
      first.kill('SIGKILL'); // the deploy's node process only: its driver's group lives on
      await new Promise((r) => first.once('exit', r));
      const second = await runCli([...deployFlags(stateDir, 'v2', 'true'), '--lock-timeout=1s']);
      assert.equal(second.code, 1, second.stdout);
      assert.match(
        second.stderr + second.stdout,
        new RegExp(
          `"production" is still locked after 1\\.0 s by commands of a deploy whose process is gone \\(pid ${first.pid} on .*\\): process group (\\d+) still runs \\(\\d+ process(es)?, running .*sleep 30.*\\)\\. The environment stays held while they run, so that no second driver runs beside them; it is released when they end \\(stop them with \`kill -TERM -- -\\1\` if they must not finish\\)`,
        ),
      );
    } finally {
      // The ticket names the group its driver runs in: stop what is left of it.
      const lockDir = path.join(stateDir, 'production.lock');
      for (const ticket of readdirSync(lockDir).filter((name) => name.endsWith('.ticket')))
        for (const group of JSON.parse(readFileSync(path.join(lockDir, ticket), 'utf8')).groups ?? [])
          process.kill(-group, 'SIGKILL');
    }
  });
});

describe('files planted in state-dir by someone else', () => {
  it('a symlink at audit.jsonl is never written through: the outside file is untouched and the failure to record is said', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'planted-state-'));
    const victim = path.join(mkdtempSync(path.join(tmpdir(), 'victim-')), 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, path.join(stateDir, 'audit.jsonl'));

    const run = await runCli(deployFlags(stateDir, 'v1.0.0'));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.match(
      run.stdout + run.stderr,
      /audit log entry could not be written: .*audit\.jsonl is a symbolic link: refusing to write through it/,
    );
  });

  it('a symlink at <environment>.history.jsonl is never appended through when the history is archived', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'planted-history-'));
    const victim = path.join(mkdtempSync(path.join(tmpdir(), 'victim-')), 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, path.join(stateDir, 'production.history.jsonl'));
    const store = new FileStateStore(stateDir);
    const releases = Array.from({ length: 205 }, (_, i) => ({
      version: `v${i}`,
      status: 'good' as const,
      startedAt: `2026-12-05T10:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z`,
    }));
    await store.write({ environment: 'production', releases: releases.slice(0, 200) });
    await assert.rejects(
      store.write({ environment: 'production', releases }),
      /is a symbolic link: refusing to write through it/,
    );
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  });
});

describe('environment names as GitHub reads them (case does not matter)', () => {
  it('a deploy to "production" after one to "Production" reads the same record, in the same file', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'env-case-'));
    const flags = (environment: string) => {
      const all = deployFlags(stateDir, 'v1.0.0');
      all[all.indexOf('production')] = environment;
      return all;
    };
    const first = await runCli(flags('Production'));
    assert.equal(first.code, 0, first.stderr);
    const again = await runCli(flags('production'));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout + again.stderr, /v1\.0\.0 is already current/);
    assert.deepEqual(
      readdirSync(stateDir).filter((name) => name.endsWith('.json')),
      ['Production.json'],
    );
  });
});
