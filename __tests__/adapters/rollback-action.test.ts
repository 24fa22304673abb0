import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startVersionedService } from '../fixtures/versioned-service.ts';
import { runStep } from '../harness/run-action.ts';

describe('rollback action (run from dist/ through the runner harness)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rollback-'));
  const live = path.join(dir, 'live-version');
  const stateDir = path.join(dir, 'state');
  const command = `echo "$DEPLOY_VERSION" > ${live}`;
  let service: Awaited<ReturnType<typeof startVersionedService>>;
  let probes: string;
  before(async () => {
    service = await startVersionedService(live);
    probes = `- { name: health, type: http, url: "${service.url}/health", interval: 50ms }`;
  });
  after(() => service.close());

  const common = () => ({
    environment: 'production',
    'state-dir': stateDir,
    command,
    'retry-wait': '50ms',
    'verify-probes': probes,
  });
  const state = () => JSON.parse(readFileSync(path.join(stateDir, 'production.json'), 'utf8'));

  it('after a bad release, returns to the last good version, marks the bad one, and verifies', async () => {
    assert.equal(
      (await runStep('deploy', { with: { ...common(), version: 'v1.0.0' } })).outputs.result,
      'deployed',
    );
    const bad = await runStep('deploy', { with: { ...common(), version: 'v2.0.0-bad' } });
    assert.equal(bad.outputs.result, 'failed');
    const marker = path.join(dir, 'on-rollback');
    const step = await runStep('rollback', {
      with: { ...common(), 'on-rollback': `echo "$DEPLOY_ROLLBACK_FROM -> $DEPLOY_VERSION" > ${marker}` },
    });
    assert.equal(step.outcome, 'success', step.log);
    assert.equal(
      readFileSync(marker, 'utf8').trim(),
      'v2.0.0-bad -> v1.0.0',
      'the on-rollback hook ran with both versions',
    );
    assert.deepEqual(
      [step.outputs.result, step.outputs['from-version'], step.outputs['to-version']],
      ['rolled-back', 'v2.0.0-bad', 'v1.0.0'],
    );
    assert.equal(readFileSync(live, 'utf8').trim(), 'v1.0.0', 'the old version runs again');
    const after = state();
    assert.equal(after.current, 'v1.0.0');
    assert.equal(after.previous, 'v2.0.0-bad');
    assert.ok(
      after.releases
        .filter((r: { version: string }) => r.version === 'v2.0.0-bad')
        .every((r: { status: string }) => r.status === 'bad'),
    );
    assert.deepEqual(after.releases.at(-1), {
      ...after.releases.at(-1),
      version: 'v1.0.0',
      status: 'good',
      kind: 'rollback',
    });
    assert.match(step.summary, /Rollback of production: v2\.0\.0-bad → v1\.0\.0/);
    // As full as a deploy's: what was marked bad, the attempts, and the verification with its table.
    assert.match(step.summary, /\| From \(marked bad\) \| v2\.0\.0-bad \|/);
    assert.match(step.summary, /\| Attempts \| #1 ✓ /);
    assert.match(step.summary, /\| Verification \(what users reach\) \| ✓ /);
  });

  it('then refuses to deploy the bad version again unless forced', async () => {
    const again = await runStep('deploy', { with: { ...common(), version: 'v2.0.0-bad' } });
    assert.equal(again.outcome, 'failure');
    assert.match(
      again.log,
      /v2\.0\.0-bad is marked bad \(rolled back to v1\.0\.0 by https:\/\/github\.com\/acme\/shop\/actions\/runs\/4242\)/,
    );
  });

  it('rolls back to a named version that is in the history, and refuses one that is not', async () => {
    await runStep('deploy', { with: { ...common(), version: 'v1.1.0' } });
    const named = await runStep('rollback', { with: { ...common(), 'to-version': 'v1.0.0' } });
    assert.deepEqual([named.outputs.result, named.outputs['from-version']], ['rolled-back', 'v1.1.0']);
    const unknown = await runStep('rollback', { with: { ...common(), 'to-version': 'v0.1.0' } });
    assert.equal(unknown.outcome, 'failure');
    assert.match(
      unknown.log,
      /Input "to-version": v0\.1\.0 was never deployed to production \(known: v1\.0\.0, v2\.0\.0-bad, v1\.1\.0\)/,
    );
    const marked = await runStep('rollback', { with: { ...common(), 'to-version': 'v2.0.0-bad' } });
    assert.match(marked.log, /Input "to-version": v2\.0\.0-bad is marked bad/);
  });

  it('a rollback whose health check fails is its own loud failure naming both versions', async () => {
    // Forced back to the known-bad release: it deploys, and its health check fails.
    const failing = await runStep('rollback', {
      with: { ...common(), 'to-version': 'v2.0.0-bad', force: 'true' },
    });
    assert.equal(failing.outcome, 'failure');
    assert.equal(failing.outputs.result, 'failed');
    assert.match(
      failing.commands.find((c) => c.name === 'error')!.message,
      /Rollback of production from v1\.0\.0 to v2\.0\.0-bad FAILED: verification failed: health check failed: health: status 503.*v1\.0\.0 is marked bad; neither version is verified healthy: act now\./,
    );
  });

  it('with nothing recorded, says there is nothing to roll back', async () => {
    const empty = await runStep('rollback', { with: { ...common(), 'state-dir': path.join(dir, 'empty') } });
    assert.equal(empty.outcome, 'failure');
    assert.match(
      empty.log,
      /Input "environment": no deploy of production is recorded in the state, so there is nothing to roll back/,
    );
  });
});
