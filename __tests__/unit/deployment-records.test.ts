import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type DeploymentView,
  isTerminal,
  statusFor,
  toEnvironmentState,
  toRecord,
} from '../../src/github/deployment-records.ts';

let nextId = 1;
/** A deployment with statuses given oldest first (as they happened); GitHub lists them newest first. */
function deployment(version: string, ...statuses: [string, string?][]): DeploymentView {
  const id = nextId++;
  return {
    id,
    createdAt: `2026-11-24T10:00:0${id % 10}Z`,
    payload: { 'deploy-actions': 1, version, kind: 'deploy', actor: 'octocat' },
    statuses: statuses
      .map(([state, description = ''], i) => ({ state, description, createdAt: `2026-11-24T10:0${i}:00Z` }))
      .toReversed(),
  };
}

describe('GitHub Deployments ↔ release history (pure)', () => {
  it('tags what GitHub states cannot say, within 140 characters', () => {
    const base = { version: 'v2', startedAt: 'x' } as const;
    assert.deepEqual(statusFor({ ...base, status: 'good' }, true), {
      state: 'success',
      description: 'good: v2 deployed and verified',
    });
    assert.equal(
      statusFor({ ...base, status: 'failed', reason: 'probe down' }, true).description,
      'failed (live): probe down',
    );
    assert.equal(
      statusFor({ ...base, status: 'failed', reason: 'exit 1' }, false).description,
      'failed: exit 1',
    );
    assert.deepEqual(statusFor({ ...base, status: 'bad', reason: 'rolled back' }, false), {
      state: 'failure',
      description: 'bad: rolled back',
    });
    assert.equal(statusFor({ ...base, status: 'interrupted', reason: 'cancelled' }, false).state, 'error');
    assert.equal(
      statusFor({ ...base, status: 'failed', reason: 'x'.repeat(300) }, false).description.length,
      140,
    );
  });

  it('a canary paused at a step keeps its step and weight in the status, and reads back as such', () => {
    const record = {
      version: 'v4',
      startedAt: 'x',
      slot: 'green',
      neverLive: true,
      status: 'paused',
      phase: 'canary',
      canary: { step: 1, weight: 25 },
    } as const;
    const paused = statusFor(record, false);
    assert.match(paused.description, /^paused \[slot green, canary 25% at step 2, never live\]/);
    const read = toRecord(deployment('v4', ['queued'], ['in_progress'], [paused.state, paused.description]))!;
    assert.deepEqual([read.status, read.phase, read.canary], ['paused', 'canary', { step: 1, weight: 25 }]);
  });

  it('a release paused for promotion, or aborted, is inactive (it holds and serves nothing) and reads back as such', () => {
    const base = { version: 'v3', startedAt: 'x', slot: 'green', neverLive: true } as const;
    const paused = statusFor({ ...base, status: 'paused' }, false);
    assert.deepEqual(paused, {
      state: 'inactive',
      description: 'paused [slot green, never live]: v3 verified on its slot, waiting for promotion',
    });
    const aborted = statusFor(
      { ...base, status: 'aborted', stopped: true, reason: 'aborted before promotion by octocat' },
      false,
    );
    assert.deepEqual(aborted, {
      state: 'inactive',
      description: 'aborted [slot green, never live, stopped]: aborted before promotion by octocat',
    });
    const waiting = deployment('v3', ['queued'], ['in_progress'], [paused.state, paused.description]);
    assert.equal(isTerminal(waiting), true, 'the queue passes it');
    assert.deepEqual((({ status, slot, neverLive }) => ({ status, slot, neverLive }))(toRecord(waiting)!), {
      status: 'paused',
      slot: 'green',
      neverLive: true,
    });
    // GitHub's own inactive on top (a newer success elsewhere) leaves it paused.
    assert.equal(
      toRecord({
        ...waiting,
        statuses: [{ state: 'inactive', description: '', createdAt: 'y' }, ...waiting.statuses],
      })?.status,
      'paused',
    );
    const ended = deployment(
      'v3',
      ['in_progress'],
      [paused.state, paused.description],
      [aborted.state, aborted.description],
    );
    assert.deepEqual((({ status, stopped, reason }) => ({ status, stopped, reason }))(toRecord(ended)!), {
      status: 'aborted',
      stopped: true,
      reason: 'aborted before promotion by octocat',
    });
    assert.equal(toEnvironmentState('production', [ended]).current, undefined, 'never live');
  });

  it('reads each release from its newest meaningful status; queued and skipped ones are no release', () => {
    assert.equal(
      toRecord(deployment('v1', ['queued'], ['in_progress'], ['success', 'good: v1']))?.status,
      'good',
    );
    assert.equal(
      toRecord(deployment('v1', ['in_progress'], ['success', 'good: v1'], ['inactive']))?.status,
      'good',
      "GitHub's own inactive (superseded) leaves the release good",
    );
    assert.equal(
      toRecord(deployment('v2', ['success'], ['failure', 'bad: rolled back to v1']))?.reason,
      'rolled back to v1',
    );
    assert.equal(toRecord(deployment('v2', ['success'], ['failure', 'bad: x']))?.status, 'bad');
    assert.equal(
      toRecord(deployment('v3', ['in_progress'], ['error', 'interrupted: cancelled']))?.status,
      'interrupted',
    );
    assert.equal(toRecord(deployment('v3', ['queued']))?.status, undefined);
    assert.equal(
      toRecord(deployment('v3', ['queued'], ['error', 'skipped: gave up waiting']))?.status,
      undefined,
    );
    assert.equal(
      toRecord(deployment('v3', ['in_progress'], ['inactive', 'skipped: nothing was deployed'])),
      undefined,
    );
    assert.equal(
      toRecord({ ...deployment('v4', ['success']), payload: { version: 'v4' } }),
      undefined,
      'not ours',
    );
  });

  it('current is the newest version that went live; previous the one live before it', () => {
    const state = toEnvironmentState('production', [
      deployment('v1', ['in_progress'], ['success', 'good: v1'], ['inactive']),
      deployment('v2', ['in_progress'], ['success', 'good: v2']),
      deployment('v3', ['in_progress'], ['failure', 'failed: exit 1']),
      deployment('v4', ['in_progress'], ['failure', 'failed (live): probe down']),
    ]);
    assert.equal(state.current, 'v4', 'a version switched to and then failed is what runs');
    assert.equal(state.previous, 'v2');
    assert.deepEqual(
      state.releases.map((r) => `${r.version} ${r.status}`),
      ['v1 good', 'v2 good', 'v3 failed', 'v4 failed'],
    );

    const rolledBack = toEnvironmentState('production', [
      deployment('v2', ['success', 'good: v2']),
      deployment('v4', ['failure', 'failed (live): probe down'], ['failure', 'bad: rolled back to v2']),
      {
        ...deployment('v2', ['in_progress'], ['success', 'good: v2']),
        payload: { 'deploy-actions': 1, version: 'v2', kind: 'rollback' },
      },
    ]);
    assert.equal(rolledBack.current, 'v2');
    assert.equal(rolledBack.previous, 'v4');
    assert.equal(rolledBack.releases.at(-1)?.kind, 'rollback');
  });

  it('a deployment holds the environment until its newest status is final', () => {
    assert.equal(isTerminal(deployment('v1', ['queued'])), false);
    assert.equal(isTerminal(deployment('v1', ['queued'], ['in_progress'])), false);
    assert.equal(isTerminal(deployment('v1')), false, 'no status yet: just created, about to queue');
    for (const state of ['success', 'failure', 'error', 'inactive']) {
      assert.equal(isTerminal(deployment('v1', ['in_progress'], [state])), true, state);
    }
  });
});

describe('status descriptions within 140 characters', () => {
  it('are cut between code points: an emoji is never split into a lone surrogate', () => {
    const reason = `verification failed: ${'🚀'.repeat(100)}`;
    for (let pad = 0; pad < 4; pad++) {
      const { description } = statusFor(
        {
          version: 'v1',
          status: 'failed',
          startedAt: '2026-12-05T10:00:00Z',
          reason: `${'x'.repeat(pad)}${reason}`,
        },
        false,
      );
      assert.ok(description.length <= 140, `${description.length} characters`);
      assert.ok(description.isWellFormed(), 'no lone UTF-16 surrogate');
      assert.ok(description.endsWith('…'));
    }
  });

  it("rolling: each host as the newest status naming it says, across deployments; the release's own status still decides it", () => {
    const older = deployment(
      'v1',
      ['in_progress', 'deploying v1'],
      ['in_progress', 'host web1: v1 verified, in rotation'],
      ['in_progress', 'host web2: v1 verified, in rotation'],
      ['success', 'good: v1 deployed and verified'],
    );
    const newer = deployment(
      'v2',
      ['in_progress', 'deploying v2'],
      ['in_progress', 'host web1: v2 verified, in rotation'],
      ['in_progress', 'host web2: v2 not verified, out of rotation'],
      ['failure', 'bad: on web2: verification failed'],
    );
    const state = toEnvironmentState('production', [newer, older]);
    assert.deepEqual(state.hosts, {
      web1: { version: 'v2', since: '2026-11-24T10:01:00Z', verified: true, inRotation: true },
      web2: { version: 'v2', since: '2026-11-24T10:02:00Z', verified: false, inRotation: false },
    });
    assert.equal(state.releases.at(-1)?.status, 'bad');
    const running = deployment(
      'v3',
      ['in_progress', 'deploying v3'],
      ['in_progress', 'host web1: v3 verified, in rotation'],
    );
    assert.equal(
      toRecord(running)?.status,
      'deploying',
      'a host status is no final one: the release still holds',
    );
    assert.equal(isTerminal(running), false);
  });
});
