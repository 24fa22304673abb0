import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ProcessRunner } from '../../src/clients/process-runner.ts';
import { systemClock } from '../../src/clients/system-clock.ts';
import { runCheck } from '../../src/preflight/run-check.ts';
import { parsePreflightSettings } from '../../src/settings/preflight.ts';
import { nginxSwitch } from '../../src/traffic/nginx-switch.ts';
import { type Nginx, startNginx } from '../fixtures/nginx.ts';
import { getFresh, slotServer } from '../fixtures/proxied.ts';

describe('the nginx traffic switch (real nginx: upstream include file, nginx -t, graceful reload)', () => {
  let nginx: Nginx;
  let blue: Awaited<ReturnType<typeof slotServer>>;
  let green: Awaited<ReturnType<typeof slotServer>>;
  before(async () => {
    blue = await slotServer('blue');
    green = await slotServer('green');
    nginx = await startNginx({ name: 'blue', port: blue.port });
  });
  after(async () => {
    await nginx.close();
    blue.close();
    green.close();
  });
  const traffic = (testCommand = nginx.testCommand) =>
    nginxSwitch({
      upstreamFile: nginx.upstreamFile,
      testCommand,
      reloadCommand: nginx.reloadCommand,
      pidFile: nginx.pidFile,
      slots: [
        { name: 'blue', host: '127.0.0.1', port: blue.port },
        { name: 'green', host: '127.0.0.1', port: green.port },
      ],
      drainTimeoutMs: 5000,
      runner: new ProcessRunner({ baseEnv: process.env }),
      clock: systemClock,
    });

  it('reads the live slot, switches with a graceful reload that took effect, and users reach the new slot', async () => {
    assert.deepEqual(await traffic().live(), ['blue']);
    assert.equal(await getFresh(nginx.url), 'blue');

    await traffic().switchTo('green', 'blue', new AbortController().signal);

    assert.deepEqual(await traffic().live(), ['green']);
    for (let i = 0; i < 5; i++)
      assert.equal(await getFresh(nginx.url), 'green', 'served by the new workers at once');
  });

  it('a configuration nginx -t refuses: the old upstream file is back and nginx was not reloaded', async () => {
    const before = readFileSync(nginx.upstreamFile, 'utf8');
    await assert.rejects(
      traffic('false').switchTo('blue', 'green', new AbortController().signal),
      /`false` \(nginx-test-command\) refused the new upstream \(exit 1\): the old upstream file is back and nginx was not reloaded/,
    );
    assert.equal(readFileSync(nginx.upstreamFile, 'utf8'), before);
    assert.equal(await getFresh(nginx.url), 'green');
  });

  it("nginx -t's own words are in the error: what it refused, and where", async () => {
    // Real nginx, pointed at a configuration that is not there: its [emerg] line says so.
    const broken = nginx.testCommand.replace(/-c \S+/, '-c /nonexistent/nginx.conf');
    await assert.rejects(
      traffic(broken).switchTo('blue', 'green', new AbortController().signal),
      /refused the new upstream \(exit 1: .*\[emerg\] open\(\) "\/nonexistent\/nginx\.conf" failed .*\): the old upstream file is back/,
    );
  });

  it('preflight: nginx -t passes and the upstream file is writable; a failing test says so', async () => {
    const check = (testCommand: string) =>
      parsePreflightSettings({
        checks: `- { type: nginx, upstream-file: "${nginx.upstreamFile}", test-command: "${testCommand}" }`,
      }).checks[0]!;
    const deps = {
      runner: new ProcessRunner({ baseEnv: process.env }),
      readState: undefined as never,
      readEnv: () => undefined,
      mask: () => {},
    };
    const ok = await runCheck(check(nginx.testCommand), deps, new AbortController().signal);
    assert.equal(ok.ok, true, ok.detail);
    const refused = await runCheck(check('false'), deps, new AbortController().signal);
    assert.equal(refused.ok, false);
    assert.equal(refused.detail, '`false` failed (exit 1)');
  });
});
