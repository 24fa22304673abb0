import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnvironmentState, ReleaseRecord, ReleaseStatus } from '../../src/ports.ts';
import { promotionEvidence } from '../../src/registry/promotion-evidence.ts';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const release = (digest: string, status: ReleaseStatus, reason?: string): ReleaseRecord => ({
  version: `registry.test:5000/shop@${digest}`,
  status,
  startedAt: '2026-12-01T10:00:00Z',
  ...(reason ? { reason } : {}),
});
const state = (...releases: ReleaseRecord[]): EnvironmentState => ({ environment: 'testing', releases });

describe('promotionEvidence: only a digest verified good in the source environment is promoted', () => {
  const rows: [string, EnvironmentState, string, true | RegExp][] = [
    ['verified good', state(release(A, 'good')), A, true],
    [
      'good, then replaced by another (still good evidence)',
      state(release(A, 'good'), release(B, 'good')),
      A,
      true,
    ],
    ['good after an earlier failed attempt', state(release(A, 'failed'), release(A, 'good')), A, true],
    ['never deployed there', state(release(B, 'good')), A, /never deployed to testing/],
    ['empty record', state(), A, /never deployed to testing/],
    [
      'deployed, verification failed',
      state(release(A, 'failed')),
      A,
      /never verified good there \(its last release there: failed\)/,
    ],
    ['paused on its slot, never promoted', state(release(A, 'paused')), A, /never verified good .*paused/],
    [
      'good once, marked bad later',
      state(release(A, 'bad', 'health check failed')),
      A,
      /marked bad on testing \(health check failed\)/,
    ],
    [
      'a tag or version of the same name is not a digest',
      state({ ...release(A, 'good'), version: 'v1.4.2' }),
      A,
      /never deployed/,
    ],
  ];
  for (const [name, record, digest, expected] of rows)
    it(name, () => {
      const evidence = promotionEvidence(record, digest, 'testing');
      if (expected === true) assert.equal(evidence.ok, true);
      else assert.match(evidence.ok ? 'ok' : evidence.problem, expected);
    });
});
