import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnvironmentState, ReleaseRecord } from '../../src/ports.ts';
import { canaryUnderway } from '../../src/release/canary-restore.ts';

const release = (version: string, more: Partial<ReleaseRecord>): ReleaseRecord => ({
  version,
  status: 'good',
  startedAt: '2026-12-06T00:00:00Z',
  ...more,
});
const state = (...releases: ReleaseRecord[]): EnvironmentState => ({ environment: 'production', releases });
const stable = release('v1', { slot: 'blue', phase: 'live' });
const canary = (more: Partial<ReleaseRecord>) =>
  release('v2', { slot: 'green', phase: 'canary', canary: { step: 1, weight: 25 }, ...more });

describe('canaryUnderway: which release, if any, holds a canary share of the traffic', () => {
  const cases: [string, EnvironmentState, string | undefined][] = [
    ['no canary', state(stable), undefined],
    ['under way at phase canary', state(stable, canary({ status: 'deploying' })), 'v2'],
    ['paused at pause: {}', state(stable, canary({ status: 'paused', neverLive: true })), 'v2'],
    [
      'paused, and a newer deploy under way (it replaces the canary: the split is the paused one’s)',
      state(stable, canary({ status: 'paused', neverLive: true }), release('v3', { status: 'deploying' })),
      'v2',
    ],
    [
      'paused, then replaced by a newer release that settled',
      state(
        stable,
        canary({ status: 'paused', neverLive: true }),
        release('v3', { slot: 'green', phase: 'live' }),
      ),
      undefined,
    ],
    ['aborted', state(stable, canary({ status: 'aborted', neverLive: true })), undefined],
    ['promoted', state(stable, canary({ status: 'good', phase: 'live' })), undefined],
    [
      'paused and its slot stopped since',
      state(stable, canary({ status: 'paused', stopped: true })),
      undefined,
    ],
  ];
  for (const [name, given, expected] of cases)
    it(`${name} → ${expected ?? 'none'}`, () => assert.equal(canaryUnderway(given)?.version, expected));
});
