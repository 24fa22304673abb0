import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeCheck, judgeProbe, type MeasurementPhase } from '../../src/health/verdict.ts';

const S: MeasurementPhase = 'successful';
const F: MeasurementPhase = 'failed';
const E: MeasurementPhase = 'error';

describe('judgeProbe: the verdict is a pure function of the measurements (Argo-style)', () => {
  const cases: {
    phases: MeasurementPhase[];
    limits: { count: number; failureLimit: number; errorLimit: number; consecutiveSuccesses?: number };
    verdict: string;
    decided: boolean;
  }[] = [
    // Strict defaults (count 3, no tolerance): one failure or one error decides at once.
    { phases: [], limits: { count: 3, failureLimit: 0, errorLimit: 0 }, verdict: 'running', decided: false },
    { phases: [S], limits: { count: 3, failureLimit: 0, errorLimit: 0 }, verdict: 'running', decided: false },
    {
      phases: [S, S],
      limits: { count: 3, failureLimit: 0, errorLimit: 0 },
      verdict: 'running',
      decided: false,
    },
    {
      phases: [S, S, S],
      limits: { count: 3, failureLimit: 0, errorLimit: 0 },
      verdict: 'successful',
      decided: true,
    },
    { phases: [F], limits: { count: 3, failureLimit: 0, errorLimit: 0 }, verdict: 'failed', decided: true },
    { phases: [S, E], limits: { count: 3, failureLimit: 0, errorLimit: 0 }, verdict: 'error', decided: true },
    // Tolerance: failures up to the limit are allowed; one more fails.
    {
      phases: [F, S],
      limits: { count: 4, failureLimit: 1, errorLimit: 0 },
      verdict: 'running',
      decided: false,
    },
    {
      phases: [F, S, F],
      limits: { count: 4, failureLimit: 1, errorLimit: 0 },
      verdict: 'failed',
      decided: true,
    },
    {
      phases: [F, S, S, S],
      limits: { count: 4, failureLimit: 1, errorLimit: 0 },
      verdict: 'successful',
      decided: true,
    },
    // Decided early when the remaining measurements cannot change the outcome.
    {
      phases: [S],
      limits: { count: 3, failureLimit: 2, errorLimit: 2 },
      verdict: 'successful',
      decided: true,
    },
    { phases: [S], limits: { count: 3, failureLimit: 2, errorLimit: 1 }, verdict: 'running', decided: false },
    // Both over their limits (as in a replayed history): a failure outweighs an error.
    {
      phases: [E, F],
      limits: { count: 3, failureLimit: 0, errorLimit: 0 },
      verdict: 'failed',
      decided: true,
    },
    {
      phases: [F, E],
      limits: { count: 3, failureLimit: 0, errorLimit: 0 },
      verdict: 'failed',
      decided: true,
    },
    // Tolerated errors with no success at all: nothing proves health.
    {
      phases: [E, E, E],
      limits: { count: 3, failureLimit: 0, errorLimit: 2 },
      verdict: 'error',
      decided: true,
    },
    { phases: [E, E], limits: { count: 2, failureLimit: 0, errorLimit: 1 }, verdict: 'error', decided: true },
    {
      phases: [E, F],
      limits: { count: 2, failureLimit: 1, errorLimit: 1 },
      verdict: 'inconclusive',
      decided: true,
    },
    // Consecutive successes: wait for a streak, give up when it can no longer be reached.
    {
      phases: [F, S, S],
      limits: { count: 5, failureLimit: 3, errorLimit: 0, consecutiveSuccesses: 2 },
      verdict: 'successful',
      decided: true,
    },
    {
      phases: [F, S],
      limits: { count: 5, failureLimit: 3, errorLimit: 0, consecutiveSuccesses: 2 },
      verdict: 'running',
      decided: false,
    },
    {
      phases: [F, F, S, F],
      limits: { count: 5, failureLimit: 3, errorLimit: 0, consecutiveSuccesses: 2 },
      verdict: 'inconclusive',
      decided: true,
    },
    {
      phases: [F, F, F, F],
      limits: { count: 5, failureLimit: 3, errorLimit: 0, consecutiveSuccesses: 2 },
      verdict: 'failed',
      decided: true,
    },
  ];
  for (const { phases, limits, verdict, decided } of cases) {
    it(`${phases.map((p) => p[0]!.toUpperCase()).join('') || '(none)'} with ${JSON.stringify(limits)} → ${verdict}${decided ? '' : ' (undecided)'}`, () => {
      const judged = judgeProbe(phases, limits);
      assert.equal(judged.verdict, verdict);
      assert.equal(judged.decided, decided);
      assert.ok(judged.reason.length > 0);
    });
  }
});

describe('judgeCheck: fail fast across probes', () => {
  const running = { verdict: 'running' as const, decided: false, reason: '' };
  const ok = { verdict: 'successful' as const, decided: true, reason: '' };
  const failed = { verdict: 'failed' as const, decided: true, reason: '' };
  const error = { verdict: 'error' as const, decided: true, reason: '' };
  const inconclusive = { verdict: 'inconclusive' as const, decided: true, reason: '' };

  it('is decided as soon as one probe fails, even while others still run', () => {
    assert.deepEqual(judgeCheck([running, failed, ok]), { verdict: 'failed', decided: true });
  });
  it('waits while any probe is undecided and none has failed', () => {
    assert.deepEqual(judgeCheck([ok, running]), { verdict: 'running', decided: false });
  });
  it('is successful only when every probe is', () => {
    assert.deepEqual(judgeCheck([ok, ok]), { verdict: 'successful', decided: true });
  });
  it('reports the worst decided verdict: failed > error > inconclusive', () => {
    assert.equal(judgeCheck([inconclusive, error, failed]).verdict, 'failed');
    assert.equal(judgeCheck([inconclusive, error, ok]).verdict, 'error');
    assert.equal(judgeCheck([ok, inconclusive]).verdict, 'inconclusive');
  });
});
