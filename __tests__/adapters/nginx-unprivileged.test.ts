import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SERVICE, START_SLOT } from '../fixtures/blue-green-site.ts';
import { startNginx } from '../fixtures/nginx.ts';
import { requireBinary } from '../fixtures/prometheus.ts';
import { type ProcessRun, runCli } from '../fixtures/run-cli.ts';
import { freePort } from '../fixtures/test-service.ts';

/** The CLI as an unprivileged user (nobody), as a runner that is not root runs it. */
function asNobody(args: readonly string[], env: Readonly<Record<string, string>>): Promise<ProcessRun> {
  const setpriv = requireBinary('setpriv', 'util-linux');
  return runCli(
    args,
    { HOME: '/nonexistent', ...env },
    {
      via: [setpriv, '--reuid=nobody', '--regid=nogroup', '--clear-groups'],
    },
  );
}

describe('nginx for a runner that is not root (real nginx, the deploy run as nobody)', () => {
  it('an upstream file it may write in a directory it may not: the error says the directory is needed, and why', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'nginx-nobody-'));
    chmodSync(work, 0o777);
    const slots = { blue: await freePort(), green: await freePort() };
    const nginx = await startNginx({ name: 'blue', port: slots.blue });
    // What a person would do after reading "write access to that file": the file, not its directory.
    chmodSync(nginx.upstreamFile, 0o666);
    const before = readFileSync(nginx.upstreamFile, 'utf8');
    try {
      const run = await asNobody(
        [
          'deploy',
          '--environment=production',
          '--version=v1.0.0',
          `--command=${START_SLOT}`,
          '--strategy=blue-green',
          `--slots={ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
          '--traffic=nginx',
          `--nginx-upstream-file=${nginx.upstreamFile}`,
          `--nginx-test-command=${nginx.testCommand}`,
          `--nginx-reload-command=${nginx.reloadCommand}`,
          `--nginx-pid-file=${nginx.pidFile}`,
          '--version-url={slot_url}/version',
          `--state-dir=${path.join(work, 'state')}`,
          '--attempts=1',
        ],
        { SLOTS_DIR: work, SERVICE },
      );
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(
        run.stdout + run.stderr,
        new RegExp(
          `cannot write the nginx upstream file ${nginx.upstreamFile.replace(/[.]/g, '\\.')} \\(nginx-upstream-file\\): the runner's user needs to write its directory ${path.dirname(nginx.upstreamFile).replace(/[.]/g, '\\.')}, not only the file \\(it is replaced atomically: a temp file beside it, then a rename\\); EACCES`,
        ),
      );
      assert.equal(readFileSync(nginx.upstreamFile, 'utf8'), before, 'nothing changed');
    } finally {
      await nginx.close();
      for (const slot of ['blue', 'green'])
        try {
          process.kill(Number(readFileSync(path.join(work, `${slot}.pid`), 'utf8')));
        } catch {
          // not started
        }
    }
  });
});
