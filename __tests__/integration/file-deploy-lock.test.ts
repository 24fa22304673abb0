import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileDeployLock, LockTimeoutError } from '../../src/clients/file-deploy-lock.ts';
import { systemClock } from '../../src/clients/system-clock.ts';
import { InterruptedError } from '../../src/errors.ts';
import type { LockOwner } from '../../src/ports.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';

const USER = path.join(REPO_ROOT, '__tests__', 'fixtures', 'lock-user.ts');
const me = { pid: process.pid, host: hostname(), actor: 'test' };

function startUser(dir: string, id: string, holdMs: number, log: string, pollMs = 20): ChildProcess {
  return spawn(process.execPath, [USER, dir, id, String(holdMs), log, String(pollMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}
/** Resolves at the child's first line: it holds the lock, or has queued for it. */
const held = (child: ChildProcess) =>
  new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));

describe('FileDeployLock (real processes)', () => {
  it('serves five deploys arriving together one at a time, in arrival order, none dropped', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    const log = path.join(dir, 'audit.jsonl');
    const users: Promise<unknown>[] = [];
    for (const id of ['1', '2', '3', '4', '5']) {
      const user = startUser(dir, id, 400, log);
      users.push(exited(user));
      await held(user); // its ticket is taken ("held" or "queued"): the next one arrives after it
    }
    await Promise.all(users);
    const events = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      events.map((e) => `${e.event}:${e.id}`),
      ['start:1', 'end:1', 'start:2', 'end:2', 'start:3', 'end:3', 'start:4', 'end:4', 'start:5', 'end:5'],
      'never overlapping, all five, in arrival order',
    );
    assert.deepEqual(readdirSync(path.join(dir, 'production.lock')), [], 'every ticket released');
  });

  it('a release wakes the next waiter at once (another process), not its next look: it looks once an hour here', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    const lock = new FileDeployLock(dir, { clock: systemClock, host: hostname() });
    const first = await lock.acquire('production', me, { timeoutMs: 1000 });
    const waiter = startUser(dir, 'next', 0, path.join(dir, 'log'), 3_600_000);
    await held(waiter); // "queued": its ticket is behind ours, and it sleeps for an hour
    const gotIt = new Promise<string>((resolve) =>
      waiter.stdout!.on('data', (chunk) => String(chunk).includes('held') && resolve('held')),
    );

    await first.release();

    // A bound only so that a broken wake fails here instead of at the runner's timeout.
    const outcome = await Promise.race([
      gotIt,
      new Promise((r) => setTimeout(() => r('still asleep'), 15_000)),
    ]);
    waiter.kill();
    assert.equal(outcome, 'held', 'the waiter was woken by the release');
  });

  it('breaks the lock of a holder that was killed (kill -9), and says so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    const holder = startUser(dir, 'doomed', 60_000, path.join(dir, 'log'));
    await held(holder);
    holder.kill('SIGKILL');
    await exited(holder);
    const broken: string[] = [];
    const lock = new FileDeployLock(dir, {
      clock: systemClock,
      host: hostname(),
      pollMs: 20,
      onBroken: (_, why) => broken.push(why),
    });
    const mine = await lock.acquire('production', me, { timeoutMs: 5000 });
    assert.deepEqual(broken, [`its process ${holder.pid} on ${hostname()} is gone`]);
    await mine.release();
  });

  it('times out with a message naming the holder and since when', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    const holder = startUser(dir, 'busy', 60_000, path.join(dir, 'log'));
    await held(holder);
    try {
      const lock = new FileDeployLock(dir, { clock: systemClock, host: hostname(), pollMs: 20 });
      const waits: LockOwner[] = [];
      await assert.rejects(
        lock.acquire('production', me, { timeoutMs: 300, onWait: (owner) => waits.push(owner) }),
        (error: Error) => {
          assert.ok(error instanceof LockTimeoutError);
          assert.match(
            error.message,
            new RegExp(
              `"production" is still locked after 300 ms by pid ${holder.pid} on .* \\(user-busy\\) since 20\\d\\d-`,
            ),
          );
          return true;
        },
      );
      assert.equal(waits[0]?.actor, 'user-busy');
      assert.equal(
        readdirSync(path.join(dir, 'production.lock')).length,
        1,
        'the waiter took its ticket back',
      );
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
    }
  });

  it('a waiter that looks only every 5 s (the kernel wakes it) still gives up when its timeout says', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    const lock = new FileDeployLock(dir, { clock: systemClock, host: hostname() });
    const first = await lock.acquire('production', me, { timeoutMs: 1000 });
    const began = Date.now();
    await assert.rejects(lock.acquire('production', me, { timeoutMs: 300 }), LockTimeoutError);
    const waited = Date.now() - began;
    assert.ok(waited < 4000, `gave up after ${waited} ms, not at its next look (5 s)`);
    await first.release();
  });

  it('stops waiting when cancelled, leaving no ticket behind', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    const lock = new FileDeployLock(dir, { clock: systemClock, host: hostname(), pollMs: 20 });
    const first = await lock.acquire('production', me, { timeoutMs: 1000 });
    const cancel = new AbortController();
    const waiting = lock.acquire('production', me, { timeoutMs: 60_000, signal: cancel.signal });
    setTimeout(() => cancel.abort(new InterruptedError('cancelled by SIGINT')), 100);
    await assert.rejects(waiting, /cancelled by SIGINT/);
    assert.equal(readdirSync(path.join(dir, 'production.lock')).length, 1);
    await first.release();
  });

  it('lets a post step release a lock by the token its main step saved', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    const lock = new FileDeployLock(dir, { clock: systemClock, host: hostname() });
    const { token } = await lock.acquire('production', me, { timeoutMs: 1000 });
    assert.equal((await lock.holder('production'))?.pid, process.pid);
    assert.equal(await lock.releaseToken('production', token), true);
    assert.equal(await lock.holder('production'), undefined);
    assert.equal(await lock.releaseToken('production', token), false, 'a second release finds nothing');
  });

  it('breaks a ticket from another host whose lease ran out, not one that is fresh', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    const lockDir = path.join(dir, 'production.lock');
    mkdirSync(lockDir);
    const ticket = path.join(lockDir, '000000000001.ticket');
    writeFileSync(
      ticket,
      JSON.stringify({ pid: 1, host: 'other-runner', since: '2026-11-24T00:00:00Z', token: 't' }),
    );
    const lock = new FileDeployLock(dir, { clock: systemClock, host: hostname(), leaseMs: 1000, pollMs: 20 });
    assert.equal((await lock.holder('production'))?.host, 'other-runner', 'fresh: still held');
    const old = new Date(Date.now() - 5000);
    utimesSync(ticket, old, old);
    const mine = await lock.acquire('production', me, { timeoutMs: 1000 });
    assert.equal((await lock.holder('production'))?.pid, process.pid);
    await mine.release();
  });
});

describe('FileDeployLock: a holder known by more than its pid', () => {
  it('a ticket whose pid now belongs to another long-lived process (a restart reused it) is broken at once, saying so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    // The holder died without releasing (power loss); after the restart its pid is this sleep's.
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const lockDir = path.join(dir, 'production.lock');
      mkdirSync(lockDir);
      writeFileSync(
        path.join(lockDir, '000000000001.ticket'),
        JSON.stringify({
          pid: other.pid,
          host: hostname(),
          since: '2026-12-01T00:00:00.000Z',
          token: 'before-the-restart',
          start: '1',
        }),
      );
      const broken: string[] = [];
      const lock = new FileDeployLock(dir, {
        clock: systemClock,
        host: hostname(),
        onBroken: (_owner, why) => broken.push(why),
      });
      const mine = await lock.acquire('production', me, { timeoutMs: 2000 });
      await mine.release();
      assert.deepEqual(broken, [
        `its process ${other.pid} on ${hostname()} is gone (that pid is now another process: sleep)`,
      ]);
    } finally {
      other.kill();
    }
  });

  it('a live holder still holds, and the lock-timeout message says what runs under its pid', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    const lock = new FileDeployLock(dir, { clock: systemClock, host: hostname() });
    const first = await lock.acquire('production', me, { timeoutMs: 1000 });
    try {
      await assert.rejects(
        lock.acquire('production', me, { timeoutMs: 200 }),
        (error: Error) =>
          error instanceof LockTimeoutError && /\(pid \d+ runs (node|MainThread)\)/.test(error.message),
      );
    } finally {
      await first.release();
    }
  });
});

describe('FileDeployLock: environment names as GitHub reads them', () => {
  it('Production and production are one environment: one lock', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    const lock = new FileDeployLock(dir, { clock: systemClock, host: hostname() });
    const first = await lock.acquire('Production', me, { timeoutMs: 1000 });
    try {
      await assert.rejects(lock.acquire('production', me, { timeoutMs: 200 }), LockTimeoutError);
    } finally {
      await first.release();
    }
  });
});
