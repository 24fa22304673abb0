import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessRunner } from '../../src/clients/process-runner.ts';
import { isRunning } from '../fixtures/test-service.ts';

const runner = new ProcessRunner({ baseEnv: process.env, killGraceMs: 300 });

/** Waits (bounded) until `pid` is gone: the kill is asynchronous, its result is not. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && isRunning(pid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return !isRunning(pid);
}

// Starts a grandchild that ignores nothing and would live for a minute, prints its pid, then waits.
const TREE = 'sleep 60 & echo "grandchild=$!"; wait';
const pidOf = (stdout: string) => Number(/grandchild=(\d+)/.exec(stdout)?.[1]);

describe('ProcessRunner (real processes)', () => {
  it('runs a shell command with extra env and captures both streams', async () => {
    const result = await runner.run({
      command: 'echo "out $GREETING"; echo err >&2; exit 3',
      env: { GREETING: 'hi' },
    });
    assert.equal(result.exitCode, 3);
    assert.equal(result.stdout, 'out hi\n');
    assert.equal(result.stderr, 'err\n');
    assert.equal(result.timedOut, false);
  });

  it('on timeout kills the whole process tree, grandchildren included', async () => {
    let stdout = '';
    const result = await runner.run({
      command: TREE,
      timeoutMs: 300,
      onOutput: (chunk) => {
        stdout += chunk;
      },
    });
    assert.equal(result.timedOut, true);
    const grandchild = pidOf(stdout);
    assert.ok(grandchild > 0, 'the grandchild reported its pid');
    assert.ok(await gone(grandchild), `sleep ${grandchild} survived the timeout`);
  });

  it('on abort kills the whole process tree', async () => {
    const abort = new AbortController();
    let stdout = '';
    const run = runner.run({
      command: TREE,
      signal: abort.signal,
      onOutput: (chunk) => {
        stdout += chunk;
        if (chunk.includes('grandchild=')) abort.abort();
      },
    });
    const result = await run;
    assert.equal(result.aborted, true);
    assert.ok(await gone(pidOf(stdout)), 'the grandchild survived the abort');
  });

  it('escalates to SIGKILL when the tree ignores SIGTERM', async () => {
    let stdout = '';
    const result = await runner.run({
      command: `sh -c 'trap "" TERM; echo "grandchild=$$"; while true; do sleep 0.05; done' & wait`,
      timeoutMs: 200,
      onOutput: (chunk) => {
        stdout += chunk;
      },
    });
    assert.equal(result.timedOut, true);
    assert.ok(await gone(pidOf(stdout)), 'a TERM-ignoring grandchild survived');
  });

  it('leaves nothing behind when the command exits but its background children would not', async () => {
    const result = await runner.run({ command: 'sleep 60 & echo "grandchild=$!"' });
    assert.equal(result.exitCode, 0);
    assert.ok(await gone(pidOf(result.stdout)), 'a background child outlived its command');
  });

  it('a consumer that is behind holds the command back: `yes` blocks instead of filling memory, then all of it arrives', async () => {
    let received = 0;
    let whileBehind = 0;
    const catchUp = new Promise<void>((resolve) => setTimeout(resolve, 1000)).then(() => {
      whileBehind = received;
    });
    let behind: Promise<void> | undefined = catchUp;
    const result = await runner.run({
      command: 'yes | head -c 20000000',
      onOutput: (chunk) => {
        received += chunk.length;
        if (!behind) return undefined;
        const wait = behind;
        behind = undefined;
        return wait;
      },
    });
    await catchUp;
    assert.equal(result.exitCode, 0);
    assert.ok(whileBehind < 1024 * 1024, `${whileBehind} bytes were read while the consumer was behind`);
    assert.equal(received, 20_000_000, 'nothing was lost once it caught up');
  });

  it('keeps only the tail of a huge output', async () => {
    const small = new ProcessRunner({ baseEnv: process.env, keepOutput: 1000 });
    const result = await small.run({ command: 'seq 1 100000' });
    assert.ok(result.stdout.length <= 1001);
    assert.ok(result.stdout.startsWith('…'));
    assert.ok(result.stdout.endsWith('100000\n'));
  });

  it('reports a command that cannot be found as exit 127', async () => {
    const result = await runner.run({ command: 'definitely-not-a-command-xyz' });
    assert.equal(result.exitCode, 127);
    assert.match(result.stderr, /not found/);
  });
});

describe('ProcessRunner: what a command leaves behind when it exits', () => {
  it('a service started with setsid in the background (no wait) gets the moment it needs to leave the group, and keeps running', async () => {
    const result = await runner.run({
      command:
        'setsid sh -c \'echo "service=$$"; exec sleep 30\' > /dev/null 2>&1 < /dev/null & echo started',
    });
    assert.equal(result.exitCode, 0);
    assert.equal(result.leftovers, undefined, 'nothing left in the group: it detached');
    const { execFileSync } = await import('node:child_process');
    const service = execFileSync('pgrep', ['-f', '^sleep 30$']).toString().trim().split('\n').map(Number);
    assert.ok(service.length > 0 && service.every(isRunning), 'the detached service still runs');
    for (const pid of service) process.kill(pid);
  });

  it('a process left in the group (started with & but not detached) is named and stopped', async () => {
    const result = await runner.run({ command: 'sleep 61 > /dev/null 2>&1 & echo left' });
    assert.equal(result.exitCode, 0);
    assert.equal(result.leftovers?.length, 1, JSON.stringify(result));
    assert.equal(result.leftovers?.[0]?.command, 'sleep 61');
    assert.ok(await gone(result.leftovers![0]!.pid), 'stopped');
  });

  it('a detached process that keeps the output pipe open does not hold the command past its exit', async () => {
    const started = performance.now();
    const result = await runner.run({ command: 'setsid sleep 62 & echo started', timeoutMs: 20_000 });
    assert.equal(result.exitCode, 0);
    assert.equal(result.timedOut, false, 'done when it exited, not "timed out"');
    assert.equal(result.outputHeld, true);
    assert.match(result.stdout, /started/);
    assert.ok(performance.now() - started < 10_000, 'it did not wait for the pipe to close');
    const { execFileSync } = await import('node:child_process');
    for (const pid of execFileSync('pgrep', ['-f', '^sleep 62$']).toString().trim().split('\n').map(Number))
      process.kill(pid);
  });
});
