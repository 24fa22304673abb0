import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ProcessRunner } from '../../src/clients/process-runner.ts';
import { commandSwitch } from '../../src/traffic/command-switch.ts';

const slots = [
  { name: 'blue', host: '127.0.0.1', port: 8081 },
  { name: 'green', host: '127.0.0.1', port: 8082 },
];
const runner = new ProcessRunner({ baseEnv: process.env });
const traffic = (command: string) =>
  commandSwitch({ command, environment: 'production', slots, runner, timeoutMs: 5000 });

describe('the switch-command traffic switch (a real shell command)', () => {
  it('switches with DEPLOY_SLOT and its address set, and reads back with DEPLOY_SLOT empty', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'switch-')), 'live');
    writeFileSync(file, 'blue\n');
    const command = `if [ -z "$DEPLOY_SLOT" ]; then cat ${file}; else echo "$DEPLOY_SLOT" > ${file}; echo "$DEPLOY_SLOT_ADDRESS $DEPLOY_PREVIOUS_SLOT" > ${file}.how; fi`;

    assert.deepEqual(await traffic(command).live(), ['blue']);
    await traffic(command).switchTo('green', 'blue', new AbortController().signal);

    assert.deepEqual(await traffic(command).live(), ['green']);
    assert.equal(readFileSync(`${file}.how`, 'utf8').trim(), '127.0.0.1:8082 blue');
  });

  it('a read-back that is not a slot name is an error that never quotes what the command printed', async () => {
    await assert.rejects(traffic('echo "token=hunter2-xyz"').live(), (error: Error) => {
      assert.match(error.message, /printed something that is not a slot name \(blue or green\)/);
      assert.ok(!error.message.includes('hunter2'));
      return true;
    });
    await assert.rejects(traffic('exit 3').live(), /asked which slot serves \(DEPLOY_SLOT empty\), exited 3/);
    await assert.rejects(
      traffic('[ -z "$DEPLOY_SLOT" ] || exit 4').switchTo('green', 'blue', new AbortController().signal),
      /switch-command exited 4 switching to green: traffic may still go to blue/,
    );
  });

  it('a switch command stopped at its time limit says so, never "exited null"', async () => {
    const slow = commandSwitch({
      command: 'sleep 30',
      environment: 'production',
      slots,
      runner,
      timeoutMs: 200,
    });
    await assert.rejects(
      slow.switchTo('green', 'blue', new AbortController().signal),
      /switch-command timed out after 200 ms \(process tree killed\) switching to green/,
    );
    await assert.rejects(
      slow.live(),
      /asked which slot serves \(DEPLOY_SLOT empty\), timed out after 200 ms/,
    );
  });
});
