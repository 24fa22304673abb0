import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, isRunning } from '../fixtures/test-service.ts';
import { startVersionedService } from '../fixtures/versioned-service.ts';
import { runPostStep, runStep, type StepResult } from '../harness/run-action.ts';

/** A deploy target on this machine: the "server" is a file holding the running version. */
function target() {
  const dir = mkdtempSync(path.join(tmpdir(), 'target-'));
  const live = path.join(dir, 'live-version');
  const counter = path.join(dir, 'attempts');
  return {
    dir,
    live,
    counter,
    stateDir: path.join(dir, 'state'),
    state: () => JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8')),
    audit: () =>
      readFileSync(path.join(dir, 'state', 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    attempts: () => (existsSync(counter) ? readFileSync(counter, 'utf8').trim().split('\n').length : 0),
    /** Counts its attempts, fails the first `failures` of them, then writes the version. */
    command: (failures = 0) =>
      `echo x >> ${counter}; n=$(wc -l < ${counter}); echo "attempt $n of $DEPLOY_VERSION"; if [ $n -le ${failures} ]; then echo "boom $n" >&2; exit 1; fi; echo "$DEPLOY_VERSION" > ${live}`,
  };
}

const deploy = (
  t: ReturnType<typeof target>,
  inputs: Record<string, string>,
  extra: Parameters<typeof runStep>[1] = {},
) =>
  runStep('deploy', {
    ...extra,
    with: { environment: 'production', 'state-dir': t.stateDir, 'retry-wait': '50ms', ...inputs },
  });

describe('deploy action (run from dist/ through the runner harness)', () => {
  let service: Awaited<ReturnType<typeof startVersionedService>>;
  let t: ReturnType<typeof target>;
  before(async () => {
    t = target();
    service = await startVersionedService(t.live);
  });
  after(() => service.close());

  const verify = () => `- { name: health, type: http, url: "${service.url}/health", interval: 50ms }`;

  it('deploys, verifies health and version, records state and the audit log', async () => {
    const step = await deploy(t, {
      version: 'v1.0.0',
      command: t.command(),
      'verify-probes': verify(),
      'version-url': `${service.url}/version`,
    });
    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.result, 'deployed');
    assert.equal(step.outputs.attempts, '1');
    assert.equal(readFileSync(t.live, 'utf8').trim(), 'v1.0.0');
    const state = t.state();
    assert.equal(state.current, 'v1.0.0');
    assert.deepEqual(
      state.releases.map((r: { version: string; status: string; actor: string }) => [
        r.version,
        r.status,
        r.actor,
      ]),
      [['v1.0.0', 'good', 'octocat']],
    );
    assert.match(step.summary, /### ✅ Deploy v1\.0\.0 to production: deployed/);
    const [entry] = t.audit();
    assert.equal(entry.result, 'deployed');
    assert.equal(entry.runUrl, 'https://github.com/acme/shop/actions/runs/4242');
  });

  it('is a no-op for the version already current and healthy; force redeploys', async () => {
    const before = t.attempts();
    const again = await deploy(t, { version: 'v1.0.0', command: t.command(), 'verify-probes': verify() });
    assert.equal(again.outputs.result, 'unchanged');
    assert.equal(t.attempts(), before, 'the driver did not run');
    const forced = await deploy(t, { version: 'v1.0.0', command: t.command(), force: 'true' });
    assert.equal(forced.outputs.result, 'deployed');
    assert.equal(t.attempts(), before + 1);
  });

  it('retries a failing command with backoff, logging every attempt with its reason', async () => {
    const r = target();
    const step = await deploy(r, { version: 'v2.0.0', command: r.command(2), attempts: '3' });
    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.attempts, '3');
    const warnings = step.commands.filter((c) => c.name === 'warning').map((c) => c.message);
    assert.deepEqual(warnings, [
      'attempt 1/3 failed: the deploy command exited 1: boom 1; retrying in 50 ms',
      'attempt 2/3 failed: the deploy command exited 1: boom 2; retrying in 100 ms',
    ]);
  });

  it('fails after the last attempt, keeps the old version current but unverified, says production may have changed, runs on-failure', async () => {
    const r = target();
    await deploy(r, { version: 'v1.0.0', command: r.command() });
    const marker = path.join(r.dir, 'on-failure-ran');
    const step = await deploy(r, {
      version: 'v2.0.0',
      command: 'echo nope >&2; exit 3',
      attempts: '2',
      'on-failure': `echo "$DEPLOY_FAILURE" > ${marker}`,
    });
    assert.equal(step.outcome, 'failure');
    assert.equal(step.outputs.result, 'failed');
    assert.match(
      step.commands.find((c) => c.name === 'error')!.message,
      /failed: all 2 attempts failed; the last: the deploy command exited 3\. The driver ran, so production may have changed: check it, and roll back to v1\.0\.0 if it is unhealthy\./,
    );
    // The log shows what the command said (masked by the runner); nothing reported or recorded quotes it.
    assert.match(step.log, /attempt 2\/2 failed: the deploy command exited 3: nope/);
    assert.doesNotMatch(step.outputs.report!, /nope/);
    assert.doesNotMatch(step.summary, /nope/);
    const state = r.state();
    assert.equal(state.current, 'v1.0.0');
    assert.deepEqual(state.releases.at(-1).status, 'failed');
    assert.equal(
      state.releases.at(-1).reason,
      'all 2 attempts failed; the last: the deploy command exited 3',
      'no output recorded',
    );
    assert.match(readFileSync(marker, 'utf8'), /Deploying v2\.0\.0 to production failed/);
  });

  it('kills the whole process tree when an attempt times out', async () => {
    const r = target();
    const pidFile = path.join(r.dir, 'grandchild');
    const step = await deploy(r, {
      version: 'v3.0.0',
      command: `sleep 60 & echo $! > ${pidFile}; wait`,
      attempts: '1',
      'attempt-timeout': '300ms',
    });
    assert.equal(step.outputs.result, 'failed');
    assert.match(step.log, /the deploy command timed out after 300 ms \(process tree killed\)/);
    assert.equal(
      isRunning(Number(readFileSync(pidFile, 'utf8'))),
      false,
      'the grandchild survived the timeout',
    );
  });

  it('`yes` as the command while the runner reads nothing of the log for 3 s: a clean timeout, recorded and audited', async () => {
    const r = target();
    const step = await deploy(
      r,
      { version: 'v3.1.0', command: 'yes', attempts: '1', 'attempt-timeout': '2s' },
      { stallStdoutMs: 3000 },
    );
    const lines = step.log.split('\n').filter((line) => line !== 'y');
    assert.equal(step.exitCode, 1, lines.join('\n'));
    assert.equal(step.outputs.result, 'failed');
    assert.ok(!lines.some((l) => /Unhandled 'error' event|EINVAL|\bat .*\.js:\d+/.test(l)), lines.join('\n'));
    assert.ok(
      lines.some((l) => /the deploy command timed out after 2\.0 s \(process tree killed\)/.test(l)),
      lines.join('\n'),
    );
    assert.equal(r.state().releases[0].status, 'failed', 'the release is settled, not left deploying');
    assert.equal(r.audit().at(-1).result, 'failed', 'the audit log has the attempt');
  });

  it('a failed verification leaves the new version recorded as current but failed, and says to roll back', async () => {
    const r = target();
    await deploy(r, { version: 'v1.0.0', command: r.command() });
    const broken = await startVersionedService(r.live);
    try {
      const step = await deploy(r, {
        version: 'v2.0.0-bad',
        command: r.command(),
        'verify-probes': `- { name: health, type: http, url: "${broken.url}/health" }`,
      });
      assert.equal(step.outputs.result, 'failed');
      assert.match(
        step.commands.find((c) => c.name === 'error')!.message,
        /failed: verification failed: health check failed: health: status 503.*v2\.0\.0-bad is live but not verified: roll back to v1\.0\.0 with the rollback action\./,
      );
      const state = r.state();
      assert.equal(state.current, 'v2.0.0-bad', 'what runs is what state says');
      assert.equal(state.previous, 'v1.0.0');
      assert.equal(state.releases.at(-1).status, 'failed');
    } finally {
      await broken.close();
    }
  });

  it('dry-run prints the plan and changes nothing', async () => {
    const r = target();
    await deploy(r, { version: 'v1.0.0', command: r.command() });
    const before = readFileSync(path.join(r.stateDir, 'production.json'), 'utf8');
    const files = readdirSync(r.stateDir).sort();
    const step = await deploy(r, {
      version: 'v2.0.0',
      command: r.command(),
      'dry-run': 'true',
      'pre-deploy': 'curl -fsS -u admin:hunter2-hook https://db.internal/migrate',
    });
    assert.equal(step.outputs.result, 'dry-run');
    // The plan's commands are in the log; what is reported (output, summary) only names them.
    assert.match(step.log, /Plan: the pre-deploy hook runs curl/);
    assert.match(step.outputs.report!, /hooks: {7}pre-deploy/);
    for (const text of [step.outputs.report!, step.summary])
      assert.doesNotMatch(text, /hunter2-hook|live-version/);
    assert.match(
      step.log,
      /Dry run: nothing will change\. deploy production: v1\.0\.0 → v2\.0\.0\n\s+plan: /,
    );
    assert.equal(step.log.match(/Dry run: nothing will change/g)?.length, 1, 'the plan is printed once');
    assert.equal(readFileSync(path.join(r.stateDir, 'production.json'), 'utf8'), before);
    assert.deepEqual(readdirSync(r.stateDir).sort(), files);
    assert.equal(readFileSync(r.live, 'utf8').trim(), 'v1.0.0');
  });

  it('refuses a version marked bad unless forced', async () => {
    const r = target();
    await deploy(r, { version: 'v1.0.0', command: r.command() });
    const state = r.state();
    state.releases.push({
      version: 'v0.9.0',
      status: 'bad',
      startedAt: '2026-11-01T00:00:00Z',
      reason: 'broke checkout',
    });
    writeFileSync(path.join(r.stateDir, 'production.json'), JSON.stringify(state));
    const refused = await deploy(r, { version: 'v0.9.0', command: r.command() });
    assert.equal(refused.outcome, 'failure');
    assert.match(
      refused.log,
      /Input "version": v0\.9\.0 is marked bad \(broke checkout\); deploy another version, or set force: true/,
    );
    const forced = await deploy(r, { version: 'v0.9.0', command: r.command(), force: 'true' });
    assert.equal(forced.outputs.result, 'deployed');
  });

  it('rejects bad input with the input named', async () => {
    const r = target();
    const cases: [Record<string, string>, RegExp][] = [
      [{ version: '', command: 'true' }, /Input "version": is required/],
      [
        { version: 'latest', command: 'true' },
        /Input "version": "latest" is a moving name; deploy an immutable version/,
      ],
      [{ version: 'shop:main', command: 'true' }, /Input "version": "main" is a moving name/],
      [
        { version: 'v1.0.0', driver: 'helm', command: 'true' },
        /Input "driver": use command, ansible, releases, docker or compose/,
      ],
      [
        { version: 'v1.0.0', command: 'true', 'attempt-timeout': '-5s' },
        /Input "attempt-timeout": "-5s" must not be negative/,
      ],
      [
        { version: 'v1.0.0', driver: 'ansible', playbook: 'missing.yml', inventory: 'localhost,' },
        /Input "playbook": cannot read "missing\.yml"/,
      ],
      [{ version: 'v1.0.0' }, /Input "command": is required with driver: command/],
    ];
    for (const [inputs, expected] of cases) {
      const step = await deploy(r, inputs);
      assert.equal(step.outcome, 'failure', JSON.stringify(inputs));
      assert.match(step.commands.find((c) => c.name === 'error')?.message ?? '', expected);
    }
    assert.ok(!existsSync(path.join(r.stateDir, 'production.json')), 'nothing was recorded');
  });

  it('accepts an image digest and a git SHA as immutable', async () => {
    const r = target();
    const digest = `shop@sha256:${'a'.repeat(64)}`;
    assert.equal((await deploy(r, { version: digest, command: r.command() })).outputs.result, 'deployed');
    assert.equal((await deploy(r, { version: '9fceb02', command: r.command() })).outputs.result, 'deployed');
  });
});

describe('deploy action: cancel and crash safety', () => {
  it('SIGINT mid-deploy: stops the tree, records the new version as live but not verified, frees the lock', async () => {
    const t = target();
    await deploy(t, { version: 'v1.0.0', command: t.command() });
    const pidFile = path.join(t.dir, 'grandchild');
    const step = await deploy(
      t,
      {
        version: 'v2.0.0',
        command: `sleep 60 & echo $! > ${pidFile}; echo started; wait; echo v2.0.0 > ${t.live}`,
      },
      { cancelWhen: /^started$/ },
    );
    assert.equal(step.outcome, 'cancelled');
    assert.deepEqual(step.cancelSignals, ['SIGINT'], 'it stopped before the runner escalated');
    assert.match(
      step.log,
      /cancelled by SIGINT while releasing v2\.0\.0 to production: its process trees were stopped, the record says v2\.0\.0 is live but not verified, and the lock is released\. Next: verify it with a deploy of v2\.0\.0, or roll back to the last good version\./,
    );
    assert.equal(isRunning(Number(readFileSync(pidFile, 'utf8'))), false);
    // The driver had begun: in place, production may already be changing, so the record does not
    // claim the old version serves; it names the new one, unverified.
    const state = t.state();
    assert.equal(state.current, 'v2.0.0');
    assert.equal(state.previous, 'v1.0.0');
    assert.equal(state.releases.at(-1).status, 'interrupted');
    assert.deepEqual(readdirSync(path.join(t.stateDir, 'production.lock')), [], 'the lock is free');
    const next = await deploy(t, { version: 'v2.0.0', command: t.command() });
    assert.equal(next.outputs.result, 'deployed', 'the next deploy succeeds');
  });

  it('a main step killed with SIGKILL leaves its lock to the post step, which frees it', async () => {
    const t = target();
    const main: StepResult = await deploy(
      t,
      { version: 'v1.0.0', command: 'echo started; sleep 60' },
      { killWhen: /^started$/ },
    );
    assert.equal(main.outcome, 'cancelled');
    assert.equal(
      readdirSync(path.join(t.stateDir, 'production.lock')).length,
      1,
      'the killed step left its ticket',
    );
    assert.ok(main.state['lock-token'], 'the token was saved for the post step');
    const post = await runPostStep('deploy', main);
    assert.equal(post.outcome, 'success', post.log);
    assert.match(
      post.log,
      /ended without releasing the production lock \(it was killed\): released it and marked v1\.0\.0 interrupted/,
    );
    assert.deepEqual(readdirSync(path.join(t.stateDir, 'production.lock')), []);
    assert.equal(t.state().releases.at(-1).status, 'interrupted');
  });

  it('a post step after a normal main step does nothing', async () => {
    const t = target();
    const main = await deploy(t, { version: 'v1.0.0', command: t.command() });
    const post = await runPostStep('deploy', main);
    assert.equal(post.outcome, 'success');
    assert.doesNotMatch(post.log, /released/);
  });

  it('three deploys arriving together all run, one at a time, in arrival order', async () => {
    const t = target();
    const log = path.join(t.dir, 'order.log');
    const gate = path.join(t.dir, 'gate');
    // The first deploy holds the lock until both others wait for it: no race on a fast machine or a slow one.
    const command = `echo "start $DEPLOY_VERSION" >> ${log}; while [ ! -e ${gate} ]; do sleep 0.02; done; echo "end $DEPLOY_VERSION" >> ${log}`;
    const lockDir = path.join(t.stateDir, 'production.lock');
    const tickets = async (n: number) => {
      while (!existsSync(lockDir) || readdirSync(lockDir).filter((f) => f.endsWith('.ticket')).length < n)
        await new Promise((r) => setTimeout(r, 10));
    };
    const first = deploy(t, { version: 'v1.0.0', command }, { cancelWhen: /never/ });
    while (!existsSync(log)) await new Promise((r) => setTimeout(r, 10));
    const second = deploy(t, { version: 'v2.0.0', command });
    await tickets(2);
    const third = deploy(t, { version: 'v3.0.0', command });
    await tickets(3);
    writeFileSync(gate, '');
    const steps = await Promise.all([first, second, third]);
    assert.deepEqual(
      steps.map((s) => s.outputs.result),
      ['deployed', 'deployed', 'deployed'],
    );
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
      'start v1.0.0',
      'end v1.0.0',
      'start v2.0.0',
      'end v2.0.0',
      'start v3.0.0',
      'end v3.0.0',
    ]);
    assert.deepEqual(
      t.audit().map((e: { version: string }) => e.version),
      ['v1.0.0', 'v2.0.0', 'v3.0.0'],
    );
  });
});

describe('deploy action: hooks and the running version', () => {
  it('a failing pre-deploy hook stops the deploy before anything changes; post-deploy runs after a verified one', async () => {
    const t = target();
    const stopped = await deploy(t, {
      version: 'v1.0.0',
      command: t.command(),
      'pre-deploy': 'echo "db not migrated" >&2; exit 1',
    });
    assert.equal(stopped.outcome, 'failure');
    assert.equal(stopped.outputs.result, 'failed');
    assert.match(stopped.log, /failed: the pre-deploy hook exited 1\. Nothing was changed\./);
    assert.match(
      stopped.log,
      /^db not migrated$/m,
      "the hook's output is in the log, not in what is reported",
    );
    assert.equal(t.attempts(), 0);
    assert.equal(existsSync(path.join(t.stateDir, 'production.json')), false, 'no release was recorded');
    const marker = path.join(t.dir, 'post-ran');
    const step = await deploy(t, {
      version: 'v1.0.0',
      command: t.command(),
      'post-deploy': `echo "$DEPLOY_VERSION after $DEPLOY_PREVIOUS_VERSION" > ${marker}`,
    });
    assert.equal(step.outputs.result, 'deployed');
    assert.equal(readFileSync(marker, 'utf8').trim(), 'v1.0.0 after');
  });

  it('fails verification when the service reports another version', async () => {
    const t = target();
    const step = await deploy(t, {
      version: 'v2.0.0',
      command: `echo v1.9.9 > ${t.live}`,
      'version-command': `cat ${t.live}`,
    });
    assert.equal(step.outputs.result, 'failed');
    assert.match(step.log, /version-command printed: v1\.9\.9/);
    assert.match(
      step.log,
      /verification failed: the version command printed something other than "v2\.0\.0" \(shown in the log\)/,
    );
    // What a command prints is never recorded: not in the state, not in the report.
    assert.doesNotMatch(JSON.stringify(t.state()), /v1\.9\.9/);
    assert.doesNotMatch(step.outputs.report!, /v1\.9\.9/);
  });

  it('a version-url with a password and a query key: neither is in any state, report, summary or log', async () => {
    const t = target();
    const service = await startVersionedService(t.live);
    try {
      const secret = 's3cr3t-Pass-4u';
      const url = service.url.replace('http://', `http://deployer:${secret}@`);
      const step = await deploy(t, {
        version: 'v2.0.0',
        command: `echo v1.9.9 > ${t.live}`,
        'version-url': `${url}/version?key=q-${secret.split('').reverse().join('')}`,
      });
      assert.equal(step.outputs.result, 'failed');
      assert.match(
        step.log,
        /the service reports version "v1\.9\.9", not "v2\.0\.0" \(http:\/\/\*\*\*@127\.0\.0\.1:\d+\/version\?key=\*\*\*\)/,
        'shown with its user name and query value hidden',
      );
      for (const [where, text] of [
        ['state', JSON.stringify(t.state())],
        ['report', step.outputs.report!],
        ['summary', step.summary],
        ['log', step.log],
        ['audit', JSON.stringify(t.audit())],
      ] as const)
        for (const planted of [secret, [...secret].reverse().join('')])
          assert.ok(!text.includes(planted), `the password or query key is in the ${where}`);
    } finally {
      await service.close();
    }
  });

  it('rejects a version-json-path it cannot read', async () => {
    const t = target();
    const step = await deploy(t, {
      version: 'v2.0.0',
      command: 'true',
      'version-url': 'http://127.0.0.1:1/v',
      'version-json-path': 'version',
    });
    assert.match(step.log, /Input "version-json-path": JSON path "version" must start with \$/);
  });
});

describe("deploy action: what the deploy command's service does after the command exits", () => {
  const serve = (dir: string) =>
    `node -e "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1', () => require('fs').writeFileSync('${dir}/pid', String(process.pid)))"`;
  /** Deploys with `command(dir)` starting the service on a free port, verified by one probe of it (`judged`). */
  async function deployService(
    label: string,
    command: (dir: string) => string,
    more: Record<string, string> = {},
    judged = 'interval: 200ms, consecutive-error-limit: 10',
  ) {
    const dir = mkdtempSync(path.join(tmpdir(), `${label}-`));
    const port = await freePort();
    const step = await runStep('deploy', {
      with: {
        environment: 'production',
        version: 'v1.0.0',
        command: command(dir),
        'verify-probes': `- { name: up, type: http, url: "http://127.0.0.1:${port}/", ${judged} }`,
        'state-dir': path.join(dir, 'state'),
        attempts: '1',
        ...more,
      },
      env: { PORT: String(port) },
    });
    const stop = () => {
      if (existsSync(path.join(dir, 'pid')))
        process.kill(Number(readFileSync(path.join(dir, 'pid'), 'utf8')));
    };
    return { step, stop };
  }

  it('a service started with `setsid … &` and no pause after it runs: the driver gives it the moment it needs to leave the group', async () => {
    const { step, stop } = await deployService(
      'setsid',
      (dir) => `setsid ${serve(dir)} > ${dir}/log 2>&1 < /dev/null &`,
    );
    try {
      assert.equal(step.outputs.result, 'deployed', step.log);
      assert.doesNotMatch(step.log, /in its process group: stopped/);
    } finally {
      stop();
    }
  });

  it("a service left in the command's group is named as it is stopped, and the failed verification says nothing listens", async () => {
    const { step } = await deployService(
      'leftover',
      (dir) => `${serve(dir)} > ${dir}/log 2>&1 &`,
      {},
      'interval: 100ms',
    );
    assert.equal(step.outputs.result, 'failed');
    assert.match(
      step.log,
      /the deploy command left `node -e .*` \(pid \d+\) in its process group: stopped\. Start services with systemd, docker or `setsid -f`/,
    );
    assert.match(step.log, /connection refused: nothing listens there/);
  });

  it('a detached service that keeps the output pipe open: the command is done when it exits, not "timed out"', async () => {
    const { step, stop } = await deployService(
      'held-pipe',
      (dir) => `setsid ${serve(dir)} & sleep 0.5; echo started`,
      {
        'attempt-timeout': '20s',
      },
    );
    try {
      assert.equal(step.outputs.result, 'deployed', step.log);
      assert.match(
        step.log,
        /exited, but a process it started keeps its output open: that output is no longer read/,
      );
      assert.doesNotMatch(step.log, /timed out/);
    } finally {
      stop();
    }
  });
});
