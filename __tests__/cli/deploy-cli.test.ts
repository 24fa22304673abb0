import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../fixtures/run-cli.ts';
import { runStep } from '../harness/run-action.ts';

const cli = (args: string[]) => runCli(args);

describe('CLI: deploy and rollback, the same core outside GitHub', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-deploy-'));
  const live = path.join(dir, 'live');
  const flags = [
    '--environment',
    'production',
    '--state-dir',
    path.join(dir, 'state'),
    '--command',
    `echo "$DEPLOY_VERSION" > ${live}`,
    '--retry-wait',
    '50ms',
  ];

  it('deploys, skips a repeat, dry-runs with a boolean flag, and rolls back, with exit codes', async () => {
    const first = await cli(['deploy', ...flags, '--version', 'v1.0.0']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Deployed v1\.0\.0 to production/);
    assert.equal((await cli(['deploy', ...flags, '--version', 'v2.0.0'])).code, 0);
    const repeat = await cli(['deploy', ...flags, '--version', 'v2.0.0', '--json']);
    assert.equal(JSON.parse(repeat.stdout).result, 'unchanged');
    const state = readFileSync(path.join(dir, 'state', 'production.json'), 'utf8');
    const dry = await cli(['deploy', ...flags, '--version', 'v3.0.0', '--dry-run']);
    assert.equal(dry.code, 0);
    assert.match(dry.stdout, /Dry run: nothing will change\./);
    assert.equal(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'), state);
    // v2.0.0 is verified good: stepping back from it takes a named version.
    const refused = await cli(['rollback', ...flags]);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /error: --to-version: v2\.0\.0 is live and was verified good, so there is nothing to roll back/,
    );
    const back = await cli(['rollback', ...flags, '--to-version', 'v1.0.0']);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /Rolled production back from v2\.0\.0 \(now marked bad\) to v1\.0\.0/);
    assert.equal(readFileSync(live, 'utf8').trim(), 'v1.0.0');
  });

  it('exits 2 on bad input and 1 on a failed deploy', async () => {
    const bad = await cli(['deploy', ...flags, '--version', 'latest']);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /error: --version: "latest" is a moving name; .*, or pass --no-require-immutable/,
    );
    const failed = await cli([
      'deploy',
      ...flags,
      '--version',
      'v4.0.0',
      '--command',
      'exit 1',
      '--attempts',
      '1',
    ]);
    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr,
      /error: Deploying v4\.0\.0 to production failed: the deploy command exited 1/,
    );
  });

  it('shares the lock with a deploy from a workflow on the same runner: never overlapping, in arrival order', async () => {
    const shared = mkdtempSync(path.join(tmpdir(), 'cli-beside-'));
    const log = path.join(shared, 'order.log');
    const gate = path.join(shared, 'gate');
    // The workflow's deploy holds the lock until the CLI's waits behind it, however slow the machine.
    const slow = `echo "start $DEPLOY_VERSION" >> ${log}; while [ ! -e ${gate} ]; do sleep 0.02; done; echo "end $DEPLOY_VERSION" >> ${log}`;
    const action = runStep('deploy', {
      with: {
        environment: 'production',
        'state-dir': path.join(shared, 'state'),
        command: slow,
        version: 'v1.0.0',
      },
    });
    while (!existsSync(log)) await new Promise((r) => setTimeout(r, 10));
    const fromCli = cli([
      'deploy',
      '--environment',
      'production',
      '--state-dir',
      path.join(shared, 'state'),
      '--command',
      slow,
      '--version',
      'v2.0.0',
    ]);
    const lockDir = path.join(shared, 'state', 'production.lock');
    while (readdirSync(lockDir).filter((f) => f.endsWith('.ticket')).length < 2)
      await new Promise((r) => setTimeout(r, 10));
    writeFileSync(gate, '');
    const [step, run] = await Promise.all([action, fromCli]);
    assert.equal(step.outputs.result, 'deployed');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Waiting for the production lock, held by pid \d+/);
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
      'start v1.0.0',
      'end v1.0.0',
      'start v2.0.0',
      'end v2.0.0',
    ]);
    assert.deepEqual(readdirSync(path.join(shared, 'state', 'production.lock')), []);
  });

  it('takes every boolean as --x, --no-x, --x=false or --x false; suggests the nearest option; prints its version', async () => {
    const moving = ['deploy', ...flags, '--version', 'latest', '--dry-run'];
    for (const off of [
      ['--no-require-immutable'],
      ['--require-immutable=false'],
      ['--require-immutable', 'false'],
    ]) {
      const run = await cli([...moving, ...off]);
      assert.equal(run.code, 0, `${off.join(' ')}: ${run.stderr}`);
    }
    const wrong = await cli([...moving, '--require-immutable=maybe']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /error: --require-immutable: "maybe" is not true or false/);
    const typo = await cli(['deploy', '--enviroment', 'x']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /Unknown option '--enviroment'\. Did you mean --environment\?/);
    const version = await cli(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^deploy-actions \d+\.\d+\.\d+\n$/);
  });

  it('durations too long for a timer are bad input naming the option, for deploy and for a probe', async () => {
    const long = await cli(['deploy', ...flags, '--version', 'v9.0.0', '--attempt-timeout', '600h']);
    assert.equal(long.code, 2);
    assert.match(
      long.stderr,
      /error: --attempt-timeout: "600h" is longer than the longest wait this tool can keep/,
    );
    const probe = await cli([
      'health-check',
      '--probes=- { name: p, type: tcp, host: 127.0.0.1, port: 1, timeout: 99999999999999999999 }',
    ]);
    assert.equal(probe.code, 2);
    assert.match(
      probe.stderr,
      /error: --probes: probe 1 \("p"\), field "timeout": .*longer than the longest wait/,
    );
  });

  it('a dry run exits as the real run would: refused (marked bad) is exit 2 with --force as the remedy; the plan is printed once', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'cli-dry-'));
    const own = ['--environment', 'production', '--state-dir', stateDir, '--command', 'true'];
    assert.equal((await cli(['deploy', ...own, '--version', 'v1.0.0'])).code, 0);
    assert.equal((await cli(['deploy', ...own, '--version', 'v2.0.0'])).code, 0);
    assert.equal((await cli(['rollback', ...own, '--to-version', 'v1.0.0'])).code, 0);
    const real = await cli(['deploy', ...own, '--version', 'v2.0.0']);
    const dry = await cli(['deploy', ...own, '--version', 'v2.0.0', '--dry-run']);
    assert.deepEqual([real.code, dry.code], [2, 2]);
    assert.match(
      dry.stderr,
      /error: --version: v2\.0\.0 is marked bad \(.*\); deploy another version, or pass --force/,
    );
    const plan = await cli(['deploy', ...own, '--version', 'v3.0.0', '--dry-run']);
    assert.equal(plan.code, 0);
    assert.equal(plan.stdout.match(/Dry run: nothing will change/g)?.length, 1);
    const pipeline = await cli([
      'run',
      ...own,
      '--version',
      'v3.0.0',
      '--dry-run',
      '--incident',
      'none',
      '--health-probes=- { name: web, type: tcp, host: 127.0.0.1, port: 1 }',
      '--json',
    ]);
    assert.equal(pipeline.code, 0, pipeline.stderr);
    const report = JSON.parse(pipeline.stdout);
    assert.deepEqual(
      report.stages.map((st: { name: string; result: string }) => `${st.name}:${st.result}`),
      ['deploy:dry-run', 'health-check:dry-run', 'rollback:dry-run'],
    );
  });
});
