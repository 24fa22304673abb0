import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRecovery, type Recovery, type RecoveryFacts } from '../../src/pipeline/decide-recovery.ts';

const base: RecoveryFacts = { autoRollback: true, canCheck: true };
const deployFailed = (production: NonNullable<RecoveryFacts['failed']>['production']) => ({
  failed: { stage: 'deploy', production },
});

describe('decideRecovery: production is made healthy after any failure that may have touched it', () => {
  const cases: [string, RecoveryFacts, Recovery][] = [
    ['a good run resolves an open incident', base, { next: 'resolve-incident' }],
    [
      'cancelled: no time to recover, the record says what was left',
      { ...base, ...deployFailed('live-unverified'), interrupted: true },
      { next: 'stop' },
    ],
    [
      'refused, lock timeout, pre hook, preflight: production untouched, report only',
      { ...base, ...deployFailed('untouched') },
      { next: 'stop' },
    ],
    [
      'a canary aborted by its analysis: some users met it and are all back on stable: an incident carries the analysis, nothing to roll back',
      { ...base, ...deployFailed('reverted') },
      { next: 'open-incident', rollback: 'reverted' },
    ],
    [
      'blue-green rejected the release on its slot: no user reached it, nothing to roll back, no incident (the run fails with its summary)',
      { ...base, ...deployFailed('rejected') },
      { next: 'stop' },
    ],
    [
      '…unless incident-on: any-failure: an incident says where it was caught',
      { ...base, incidentOn: 'any-failure', ...deployFailed('rejected') },
      { next: 'open-incident', rollback: 'not-reached' },
    ],
    [
      'the driver failed after it ran: check production first',
      { ...base, ...deployFailed('maybe-changed') },
      { next: 'check-production' },
    ],
    [
      '…and production is healthy: no rollback, the incident says the old version still serves',
      { ...base, ...deployFailed('maybe-changed'), production: 'healthy' },
      { next: 'open-incident', rollback: 'not-needed' },
    ],
    [
      '…and production is unhealthy (the script stopped the app): roll back',
      { ...base, ...deployFailed('maybe-changed'), production: 'unhealthy' },
      { next: 'roll-back' },
    ],
    [
      '…with no probes to tell: roll back to the last good version',
      { ...base, canCheck: false, ...deployFailed('maybe-changed') },
      { next: 'roll-back' },
    ],
    [
      'verification failed: the new version is live, roll back',
      { ...base, ...deployFailed('live-unverified') },
      { next: 'roll-back' },
    ],
    [
      'the health check failed after a verified deploy: roll back',
      { ...base, failed: { stage: 'health-check', production: 'live-unverified' } },
      { next: 'roll-back' },
    ],
    [
      'auto-rollback off: the incident says none was attempted',
      { ...base, autoRollback: false, ...deployFailed('live-unverified') },
      { next: 'open-incident', rollback: 'none' },
    ],
    [
      'rolled back: check it again',
      { ...base, ...deployFailed('live-unverified'), rollback: 'succeeded' },
      { next: 're-verify' },
    ],
    [
      'rolled back and healthy again',
      { ...base, ...deployFailed('live-unverified'), rollback: 'succeeded', reverified: 'healthy' },
      { next: 'open-incident', rollback: 'succeeded' },
    ],
    [
      'rolled back with nothing to check it with',
      { ...base, canCheck: false, ...deployFailed('live-unverified'), rollback: 'succeeded' },
      { next: 'open-incident', rollback: 'succeeded' },
    ],
    [
      'rolled back but still unhealthy: the rollback failed',
      { ...base, ...deployFailed('live-unverified'), rollback: 'succeeded', reverified: 'unhealthy' },
      { next: 'open-incident', rollback: 'failed' },
    ],
    [
      'the rollback itself failed',
      { ...base, ...deployFailed('maybe-changed'), production: 'unhealthy', rollback: 'failed' },
      { next: 'open-incident', rollback: 'failed' },
    ],
  ];
  for (const [scenario, facts, expected] of cases)
    it(scenario, () => assert.deepEqual(decideRecovery(facts), expected));

  it('always ends: following the decision from any failure reaches an incident or a stop', () => {
    for (const production of ['untouched', 'rejected', 'maybe-changed', 'live-unverified'] as const)
      for (const healthy of [true, false]) {
        let facts: RecoveryFacts = { ...base, ...deployFailed(production) };
        let steps = 0;
        for (
          let next = decideRecovery(facts);
          next.next !== 'open-incident' && next.next !== 'stop';
          next = decideRecovery(facts)
        ) {
          assert.ok(++steps < 10, 'the decision loops');
          const result = healthy ? 'healthy' : 'unhealthy';
          if (next.next === 'check-production') facts = { ...facts, production: result };
          if (next.next === 'roll-back') facts = { ...facts, rollback: 'succeeded' };
          if (next.next === 're-verify') facts = { ...facts, reverified: result };
        }
      }
  });
});
