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
    // Both over their limits (as in a replayed history): whichever came first decided it, as the
    // engine (and Argo) stop measuring at that moment.
    {
      phases: [E, F],
      limits: { count: 3, failureLimit: 0, errorLimit: 0 },
      verdict: 'error',
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
    // The streak is out of reach, but a failure could still come: not decided yet (this table
    // once said inconclusive here, before Argo's verdict on the same measurements was checked).
    {
      phases: [F, F, S, F],
      limits: { count: 5, failureLimit: 3, errorLimit: 0, consecutiveSuccesses: 2 },
      verdict: 'running',
      decided: false,
    },
    {
      phases: [F, F, S, F, F],
      limits: { count: 5, failureLimit: 3, errorLimit: 0, consecutiveSuccesses: 2 },
      verdict: 'failed',
      decided: true,
    },
    {
      phases: [F, F, S, F, S],
      limits: { count: 5, failureLimit: 3, errorLimit: 0, consecutiveSuccesses: 2 },
      verdict: 'inconclusive',
      decided: true,
    },
    // failure-limit -1 (Argo's): failures never fail the probe; the streak decides.
    {
      phases: [F, F, F, S, S],
      limits: { count: 5, failureLimit: -1, errorLimit: 0, consecutiveSuccesses: 2 },
      verdict: 'successful',
      decided: true,
    },
    {
      phases: [F, F, F],
      limits: { count: 4, failureLimit: -1, errorLimit: 0, consecutiveSuccesses: 2 },
      verdict: 'running',
      decided: false,
    },
    {
      phases: [F, F, F, F],
      limits: { count: 4, failureLimit: -1, errorLimit: 0, consecutiveSuccesses: 2 },
      verdict: 'inconclusive',
      decided: true,
    },
    // The sequence 200, 200, 500, 500, 200: Argo ends Failed at the second 500.
    {
      phases: [S, S, F],
      limits: { count: 5, failureLimit: 1, errorLimit: 0, consecutiveSuccesses: 3 },
      verdict: 'running',
      decided: false,
    },
    {
      phases: [S, S, F, F],
      limits: { count: 5, failureLimit: 1, errorLimit: 0, consecutiveSuccesses: 3 },
      verdict: 'failed',
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

describe('judgeProbe decides only what no further measurement can change (property, over random sequences)', () => {
  /** A small deterministic generator (mulberry32): the same sequences on every run. */
  function random(seed: number) {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const PHASES = ['successful', 'failed', 'error'] as const;

  /**
   * Measuring to the end, as Argo does: the first moment a limit is exceeded or the streak is
   * reached ends it; otherwise, after `count`, successful if any measurement succeeded (and no
   * streak was asked for), else inconclusive.
   */
  function toTheEnd(phases: readonly (typeof PHASES)[number][], limits: Parameters<typeof judgeProbe>[1]) {
    let failed = 0;
    let errors = 0;
    let streak = 0;
    let successes = 0;
    for (const phase of phases) {
      if (phase === 'failed') failed++;
      if (phase === 'error') errors++;
      if (phase === 'successful') successes++;
      streak = phase === 'successful' ? streak + 1 : 0;
      if (limits.failureLimit >= 0 && failed > limits.failureLimit) return 'failed';
      if (errors > limits.errorLimit) return 'error';
      if (limits.consecutiveSuccesses !== undefined && streak >= limits.consecutiveSuccesses)
        return 'successful';
    }
    return limits.consecutiveSuccesses === undefined && successes > 0 ? 'successful' : 'inconclusive';
  }

  it('20,000 random sequences and limits: every early decision is the verdict of measuring to the end', () => {
    const next = random(20261125);
    const pick = (n: number) => Math.floor(next() * n);
    for (let run = 0; run < 20_000; run++) {
      const count = 1 + pick(8);
      const streak = next() < 0.5 ? { consecutiveSuccesses: 1 + pick(count) } : {};
      const limits = {
        count,
        // -1 (failures never fail) only beside a streak, as the settings require.
        failureLimit: 'consecutiveSuccesses' in streak && next() < 0.25 ? -1 : pick(count),
        errorLimit: pick(count),
        ...streak,
      };
      const phases = Array.from({ length: count }, () => PHASES[pick(3)]!);
      const expected = toTheEnd(phases, limits);
      for (let measured = 1; measured <= count; measured++) {
        const judged = judgeProbe(phases.slice(0, measured), limits);
        if (!judged.decided) continue;
        assert.equal(
          judged.verdict,
          expected,
          `${phases.slice(0, measured).join(',')} decided ${judged.verdict}, but measuring to the end (${phases.join(',')}) gives ${expected} with ${JSON.stringify(limits)}`,
        );
        break;
      }
      assert.ok(judgeProbe(phases, limits).decided, `after all ${count} measurements the verdict is decided`);
    }
  });
});
