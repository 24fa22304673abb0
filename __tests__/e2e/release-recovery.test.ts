import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { FileDeployLock } from '../../src/clients/file-deploy-lock.ts';
import { systemClock } from '../../src/clients/system-clock.ts';
import { CLI, type ProcessRun, runCli } from '../fixtures/run-cli.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';
import { runStep } from '../harness/run-action.ts';

/**
 * The release engine against the real sample service, deployed by a script that stops the old
 * process and starts the new one (as a systemd restart would): the cases that hurt users.
 */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function sampleService() {
  const dir = mkdtempSync(path.join(tmpdir(), 'release-recovery-'));
  const port = await freePort();
  const script = path.join(dir, 'deploy.sh');
  // "-halfway" versions stop the app and then fail, as a script that dies after `systemctl stop` would.
  writeFileSync(
    script,
    `#!/bin/sh
cd ${dir}
if [ -f app.pid ]; then kill "$(cat app.pid)" 2>/dev/null; sleep 0.2; rm -f app.pid; fi
case "$DEPLOY_VERSION" in *-halfway) echo "migration failed" >&2; exit 1;; esac
VERSION="$DEPLOY_VERSION" PORT=${port} setsid node ${path.join(REPO_ROOT, 'examples', 'sample-service', 'server.mjs')} > app.log 2>&1 < /dev/null &
echo $! > app.pid
for i in $(seq 1 50); do node -e "fetch('http://127.0.0.1:${port}/').then(() => process.exit(0), () => process.exit(1))" && exit 0; sleep 0.1; done
exit 1
`,
    { mode: 0o755 },
  );
  const url = `http://127.0.0.1:${port}`;
  const answer = async (route: string) => {
    try {
      const response = await fetch(`${url}${route}`);
      return `${response.status} ${JSON.parse(await response.text()).version}`;
    } catch {
      return 'refused';
    }
  };
  const stop = () => {
    const pidFile = path.join(dir, 'app.pid');
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')));
      } catch {
        // already gone
      }
    }
  };
  const flags = (command: string, version: string) => [
    command,
    '--environment',
    'production',
    '--version',
    version,
    '--command',
    script,
    '--attempts',
    '1',
    '--state-dir',
    path.join(dir, 'state'),
    `--verify-probes=- { name: web, type: http, url: "${url}/api/health" }`,
    '--version-url',
    `${url}/version`,
  ];
  return { dir, url, answer, stop, flags, stateDir: path.join(dir, 'state') };
}

/** The CLI, interrupted with SIGINT (Ctrl-C) as soon as its output matches `when`. */
function interruptWhen(args: readonly string[], when: RegExp): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const watch = () => {
      if (!sent && when.test(stdout + stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      watch();
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      watch();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the release engine on the real sample service', () => {
  const services: { stop(): void }[] = [];
  after(() => {
    for (const s of services) s.stop();
  });

  it('run: a script that stops the app then exits 1 → production checked, rolled back, re-verified; the incident says so; users get v1 again', async () => {
    const s = await sampleService();
    services.push(s);
    const health = `--health-probes=- { name: api, type: http, url: "${s.url}/api/health" }`;
    const run = (version: string) =>
      runCli([
        ...s.flags('run', version),
        health,
        '--health-count',
        '2',
        '--health-interval',
        '100ms',
        '--incident',
        'file',
        '--incident-dir',
        path.join(s.dir, 'incidents'),
        '--json',
      ]);
    assert.equal((await run('v1.0.0')).code, 0);
    const failed = await run('v1.1.0-halfway');
    assert.equal(failed.code, 1, failed.stderr);
    const report = JSON.parse(failed.stdout);
    assert.equal(report.result, 'rolled-back');
    assert.deepEqual(
      report.stages.map((st: { name: string; result: string }) => `${st.name}:${st.result}`),
      ['deploy:failed', 'check-production:failed', 'rollback:passed', 're-verify:passed', 'incident:passed'],
    );
    assert.equal(await s.answer('/api/health'), '200 v1.0.0', 'users reach v1.0.0 again');
    const incident = readFileSync(path.join(s.dir, 'incidents', 'incident-1.md'), 'utf8');
    assert.match(incident, /\| Rollback \| ✅ succeeded: v1\.0\.0 is serving again \|/);
    assert.doesNotMatch(incident, /migration failed/, 'command output is never recorded');
  });

  it('Ctrl-C during verification: status names the new version live but unverified, and rollback returns to the last good one', async () => {
    const s = await sampleService();
    services.push(s);
    assert.equal((await runCli(s.flags('deploy', 'v1.0.0'))).code, 0);
    const slowVerify = `--verify-probes=- { name: web, type: http, url: "${s.url}/api/health", initial-delay: 20s }`;
    const cut = await interruptWhen([...s.flags('deploy', 'v1.2.0'), slowVerify], /Verifying health/);
    assert.equal(cut.code, 130, cut.stderr);
    assert.match(cut.stderr, /while verifying v1\.2\.0 .* the record says v1\.2\.0 is live but not verified/);
    assert.equal(await s.answer('/version'), '200 v1.2.0');
    const status = JSON.parse(
      (await runCli(['status', '--environment', 'production', '--state-dir', s.stateDir, '--json'])).stdout,
    );
    assert.deepEqual([status.current, status.verified], ['v1.2.0', false], 'the record and /version agree');
    const back = await runCli(
      s
        .flags('rollback', 'ignored')
        .filter((f, i, all) => f !== 'ignored' && all[i - 1] !== '--version' && f !== '--version'),
    );
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /Rolled production back from v1\.2\.0 \(now marked bad\) to v1\.0\.0/);
    assert.equal(await s.answer('/version'), '200 v1.0.0');
  });

  it('run while another deploy holds the lock: a JSON report on stdout with the failed stage, the root action sets its outputs', async () => {
    const s = await sampleService();
    services.push(s);
    const lock = new FileDeployLock(s.stateDir, { clock: systemClock, host: 'elsewhere' });
    const held = await lock.acquire(
      'production',
      { pid: 4242, host: 'ci-7', actor: 'bob' },
      { timeoutMs: 1000 },
    );
    try {
      const run = await runCli([
        ...s.flags('run', 'v2.0.0'),
        '--lock-timeout',
        '1s',
        '--incident',
        'none',
        '--json',
      ]);
      assert.equal(run.code, 1, run.stderr);
      const report = JSON.parse(run.stdout);
      assert.deepEqual([report.result, report.failedStage], ['failed', 'deploy']);
      assert.match(report.stages[0].detail, /still locked after 1\.0 s by pid 4242 on ci-7 \(bob\)/);
      const step = await runStep('.', {
        with: {
          environment: 'production',
          version: 'v2.0.0',
          command: 'true',
          'state-dir': s.stateDir,
          'lock-timeout': '1s',
          incident: 'none',
        },
      });
      assert.equal(step.outcome, 'failure');
      assert.equal(step.outputs.result, 'failed');
      assert.equal(step.outputs['failed-stage'], 'deploy');
      assert.match(JSON.parse(step.outputs.report!).stages[0].detail, /still locked/);
    } finally {
      await held.release();
    }
  });
});
