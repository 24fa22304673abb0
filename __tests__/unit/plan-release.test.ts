import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnvironmentState, ReleaseRecord } from '../../src/ports.ts';
import { planDeploy, planPromote, planRollback, type ReleasePlan } from '../../src/release/plan-release.ts';
import { liveView, settleAbandoned } from '../../src/release/release-state.ts';
import { scaleDownOf } from '../../src/release/scale-down.ts';

const at = '2026-11-25T10:00:00.000Z';
const release = (version: string, status: ReleaseRecord['status'], reason?: string): ReleaseRecord => ({
  version,
  status,
  startedAt: at,
  ...(reason ? { reason } : {}),
});
/** The version a plan releases, or its refusal's problem. */
const target = (plan: ReleasePlan) => (plan.kind === 'refuse' ? `refused: ${plan.problem}` : plan.version);
const state = (current: string | undefined, ...releases: ReleaseRecord[]): EnvironmentState => ({
  environment: 'production',
  ...(current ? { current } : {}),
  releases,
});

describe('planRollback: rolls back what the record says may be live', () => {
  it('after a driver that failed before anything went live, the good current version is kept: back to v1.1.0, v1.1.0 not marked bad', () => {
    // The reusable workflow's old rollback job took a good v1.1.0 back to v1.0.0 and marked it bad.
    const s = state(
      'v1.1.0',
      release('v1.0.0', 'good'),
      release('v1.1.0', 'good'),
      release('v1.2.0', 'failed'),
    );
    assert.deepEqual(planRollback(s, { force: false }), {
      kind: 'release',
      version: 'v1.1.0',
      from: 'v1.2.0',
      markBad: 'v1.2.0',
    });
  });

  it('a verified current version is left alone without a reason or a named version', () => {
    const s = state('v1.1.0', release('v1.0.0', 'good'), release('v1.1.0', 'good'));
    const refused = planRollback(s, { force: false });
    assert.equal(refused.kind, 'refuse');
    assert.match(refused.kind === 'refuse' ? refused.problem : '', /v1\.1\.0 is live and was verified good/);
    assert.deepEqual(planRollback(s, { force: false, toVersion: 'v1.0.0' }), {
      kind: 'release',
      version: 'v1.0.0',
      from: 'v1.1.0',
      markBad: 'v1.1.0',
    });
    assert.equal(planRollback(s, { force: false, because: 'health-check failed' }).kind, 'release');
  });

  it('interrupted during verification: the new version is live and unverified, back to the last good one', () => {
    // Ctrl-C during verification once left state at v1.0.0 while /version said v1.2.0, and rollback refused.
    const s = state('v1.2.0', release('v1.0.0', 'good'), release('v1.2.0', 'interrupted', 'cancelled'));
    assert.deepEqual(planRollback(s, { force: false }), {
      kind: 'release',
      version: 'v1.0.0',
      from: 'v1.2.0',
      markBad: 'v1.2.0',
    });
  });

  it('a release a killed deploy left deploying is settled as live and unverified, then rolled back', () => {
    const s = settleAbandoned(state('v1.0.0', release('v1.0.0', 'good'), release('v2.0.0', 'deploying')), at);
    assert.equal(s.current, 'v2.0.0');
    assert.equal(s.releases.at(-1)?.status, 'interrupted');
    assert.equal(liveView(s).verified, false);
    assert.equal(target(planRollback(s, { force: false })), 'v1.0.0');
  });

  it('never goes to a version marked bad, nor to one never deployed', () => {
    const s = state(
      'v3',
      release('v1', 'good'),
      release('v2', 'bad', 'broke checkout'),
      release('v3', 'failed'),
    );
    assert.equal(target(planRollback(s, { force: false })), 'v1');
    const bad = planRollback(s, { force: false, toVersion: 'v2' });
    assert.equal(bad.kind === 'refuse' && bad.remedy?.input, 'force');
    assert.match(
      target(planRollback(s, { force: false, toVersion: 'v9' })),
      /refused: v9 was never deployed to production/,
    );
  });

  it('with nothing recorded, or no good version, says so by input', () => {
    assert.equal(
      (planRollback(state(undefined), { force: false }) as { input: string }).input,
      'environment',
    );
    assert.equal(
      (planRollback(state('v1', release('v1', 'failed')), { force: false }) as { input: string }).input,
      'to-version',
    );
  });
});

describe('planDeploy', () => {
  it('a current verified version is confirmed, not redeployed', () => {
    assert.deepEqual(planDeploy(state('v1', release('v1', 'good')), { version: 'v1', force: false }), {
      kind: 'confirm',
      version: 'v1',
    });
  });

  it('the current version after a failed release since is released again (the newest release is not good)', () => {
    // kill -9 left the releases link at v2 while the record said v1: deploying v1 answered "unchanged".
    const s = settleAbandoned(state('v1', release('v1', 'good'), release('v2', 'deploying')), at);
    assert.deepEqual(planDeploy(s, { version: 'v1', force: false }), {
      kind: 'release',
      version: 'v1',
      from: 'v2',
    });
    const failed = state('v1', release('v1', 'good'), release('v2', 'failed'));
    assert.equal(planDeploy(failed, { version: 'v1', force: false }).kind, 'release');
  });

  it('a version marked bad is refused, with force as the remedy', () => {
    const plan = planDeploy(state('v1', release('v1', 'good'), release('v2', 'bad', 'broke checkout')), {
      version: 'v2',
      force: false,
    });
    assert.deepEqual(plan, {
      kind: 'refuse',
      input: 'version',
      problem: 'v2 is marked bad (broke checkout); deploy another version',
      remedy: { input: 'force', value: 'true' },
    });
  });
});

describe('releases no user could reach say nothing about what users reach', () => {
  const neverLive = (version: string, status: ReleaseRecord['status']): ReleaseRecord => ({
    ...release(version, status),
    neverLive: true,
  });

  it('after a blue-green release rejected on its slot, the current version is still verified, and the next deploy replaces it', () => {
    const s = state('v2', release('v1', 'good'), release('v2', 'good'), neverLive('v3', 'bad'));
    assert.deepEqual(liveView(s), { version: 'v2', verified: true });
    assert.deepEqual(planDeploy(s, { version: 'v4', force: false }), {
      kind: 'release',
      version: 'v4',
      from: 'v2',
    });
    assert.deepEqual(planDeploy(s, { version: 'v2', force: false }), { kind: 'confirm', version: 'v2' });
  });

  it('interrupted before the switch: nothing to roll back from but the verified current version', () => {
    const s = state('v2', release('v1', 'good'), release('v2', 'good'), neverLive('v3', 'interrupted'));
    assert.equal(
      planRollback(s, { force: false }).kind,
      'refuse',
      'v2 is verified: a rollback must say where to',
    );
    assert.deepEqual(planRollback(s, { force: false, toVersion: 'v1' }), {
      kind: 'release',
      version: 'v1',
      from: 'v2',
      markBad: 'v2',
    });
  });
});

describe('promotion: manual in the record', () => {
  const v1 = { ...release('v1', 'good'), slot: 'blue', finishedAt: at };
  const v2Paused = { ...release('v2', 'paused'), slot: 'green', neverLive: true };

  it('a paused release is promoted from what users reach; it changed nothing they reach meanwhile', () => {
    const waiting = state('v1', v1, v2Paused);
    assert.deepEqual(planPromote(waiting), { kind: 'release', version: 'v2', from: 'v1' });
    assert.deepEqual(liveView(waiting), { version: 'v1', verified: true });
    // A rollback has nothing to do: the verified current version is still what users reach.
    assert.match(
      target(planRollback(waiting, { force: false })),
      /^refused: v1 is live and was verified good/,
    );
  });
  it('nothing to promote says what the newest release is', () => {
    assert.equal(
      target(planPromote(state('v1', v1))),
      'refused: nothing in production waits for promotion: the newest release is v1 (good); a deploy with promotion: manual pauses one',
    );
    assert.match(
      target(planPromote(state('v1', v1, v2Paused, release('v3', 'failed')))),
      /the newest release is v3 \(failed\)/,
      'a later release replaced it',
    );
    assert.match(target(planPromote(state(undefined))), /no release is recorded/);
  });
  it('a promotion that never switched (refused, killed before its switch) leaves the release waiting', () => {
    const refused = {
      ...release('v2', 'failed', 'slot green no longer answers'),
      kind: 'promote' as const,
      neverLive: true,
    };
    assert.equal(target(planPromote(state('v1', v1, v2Paused, refused))), 'v2');
    const switched = { ...release('v2', 'failed', 'verification failed'), kind: 'promote' as const };
    assert.match(
      target(planPromote(state('v2', v1, v2Paused, switched))),
      /the newest release is v2 \(failed\)/,
    );
  });
  it('the slot a release waits on is never scaled down; the old slot of a verified one is', () => {
    assert.equal(scaleDownOf(state('v1', v1, v2Paused), 'blue', 0), undefined);
    const promoted = state(
      'v2',
      { ...release('v1', 'good'), slot: 'green', finishedAt: at },
      { ...release('v2', 'good'), slot: 'blue', finishedAt: at },
    );
    assert.equal(scaleDownOf({ ...promoted, previous: 'v1' }, 'blue', 0)?.slot, 'green');
  });
});
