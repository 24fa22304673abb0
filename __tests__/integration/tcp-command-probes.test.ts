import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measure, probeFromYaml } from '../fixtures/probes.ts';
import { freePort, startTcpListener } from '../fixtures/test-service.ts';

describe('TCP probe against a real listener', () => {
  it('connects', async () => {
    const listener = await startTcpListener();
    try {
      const outcome = await measure(
        probeFromYaml(`- { name: db, type: tcp, host: 127.0.0.1, port: ${listener.port} }`),
      );
      assert.equal((outcome as { phase: string }).phase, 'successful');
    } finally {
      await listener.close();
    }
  });

  it('checks an SSH-style greeting', async () => {
    const listener = await startTcpListener('SSH-2.0-OpenSSH_9.2\r\n');
    try {
      const yaml = (banner: string) =>
        `- { name: ssh, type: tcp, host: 127.0.0.1, port: ${listener.port}, expect: { banner: "${banner}" } }`;
      const ok = await measure(probeFromYaml(yaml('^SSH-2\\\\.0')));
      assert.equal((ok as { phase: string }).phase, 'successful');
      assert.equal((ok as { reason: string }).reason, 'greeting "SSH-2.0-OpenSSH_9.2\\r\\n"');
    } finally {
      await listener.close();
    }
  });

  it('waits for a greeting only as long as the measurement may last', async () => {
    const silent = await startTcpListener();
    try {
      const outcome = await measure(
        probeFromYaml(
          `- { name: ssh, type: tcp, host: 127.0.0.1, port: ${silent.port}, expect: { banner: "^SSH" } }`,
        ),
        200,
      );
      assert.match((outcome as { error: string }).error, /aborted/);
    } finally {
      await silent.close();
    }
  });

  it('refused is an error', async () => {
    const port = await freePort();
    const outcome = await measure(probeFromYaml(`- { name: db, type: tcp, host: 127.0.0.1, port: ${port} }`));
    assert.equal(
      (outcome as { error: string }).error,
      `connection refused: nothing listens there (127.0.0.1:${port})`,
    );
  });
});

describe('command probe (real shell)', () => {
  const command = (run: string, expect = '') =>
    probeFromYaml(`- name: cmd\n  type: command\n  run: ${JSON.stringify(run)}\n${expect}`);

  it('a redis-cli-style PONG check; what it printed is output (for the log), not reason', async () => {
    const outcome = await measure(command('echo PONG', '  expect: { stdout: "^PONG$" }\n'));
    assert.deepEqual(outcome, { phase: 'successful', value: 0, reason: 'exited 0', output: 'PONG' });
  });

  it('a wrong answer fails, the answer kept out of the reason', async () => {
    const outcome = await measure(command('echo LOADING', '  expect: { stdout: "^PONG$" }\n'));
    assert.equal((outcome as { reason: string }).reason, 'its output does not match /^PONG$/');
    assert.equal((outcome as { output: string }).output, 'LOADING');
  });

  it('an unexpected exit code fails; its stderr is output, not reason', async () => {
    const outcome = await measure(command('echo "disk full" >&2; exit 2'));
    assert.deepEqual(outcome, {
      phase: 'failed',
      value: 2,
      reason: 'exited 2, expected 0',
      output: 'disk full',
    });
  });

  it('an expected non-zero exit code succeeds', async () => {
    const outcome = await measure(command('exit 1', '  expect: { exit-code: 1 }\n'));
    assert.equal((outcome as { phase: string }).phase, 'successful');
  });

  it('a command that does not exist is an error, not a failure', async () => {
    const outcome = await measure(command('no-such-tool-here ping'));
    assert.match((outcome as { error: string }).error, /^the command was not found \(exit 127\)/);
  });

  it('passes its env', async () => {
    const outcome = await measure(
      probeFromYaml('- { name: e, type: command, run: \'test "$TARGET" = blue\', env: { TARGET: blue } }'),
    );
    assert.equal((outcome as { phase: string }).phase, 'successful');
  });

  it('fail-when (a failure condition): met fails, neither met is inconclusive, expect met succeeds', async () => {
    const judged = (run: string) =>
      measure(command(run, '  expect: { exit-code: 0 }\n  fail-when: { exit-code: 2 }\n')) as Promise<{
        phase: string;
        reason: string;
      }>;
    assert.deepEqual(
      [await judged('exit 0'), await judged('exit 2'), await judged('exit 1')].map((o) => [
        o.phase,
        o.reason,
      ]),
      [
        ['successful', 'exited 0'],
        ['failed', 'fail-when holds: exited 2'],
        ['inconclusive', 'exited 1, expected 0, and fail-when does not hold'],
      ],
    );
  });
});
