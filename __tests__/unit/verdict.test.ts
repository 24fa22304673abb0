import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CheckedProbe,
  countDecided,
  judgeProbe,
  judgeTally,
  type Limits,
  type MeasurementPhase,
  openTally,
} from '../../src/health/verdict.ts';

/** The check over a set of probes, as the engine tallies it: each decided probe counted once. */
const judgeCheck = (probes: readonly CheckedProbe[]) =>
  judgeTally(
    probes.filter((probe) => probe.judgement.decided).reduce(countDecided, openTally(probes.length)),
  );

const S: MeasurementPhase = 'successful';
const F: MeasurementPhase = 'failed';
const I: MeasurementPhase = 'inconclusive';
const E: MeasurementPhase = 'error';

/** Argo's defaults with our count: no failure or inconclusive tolerated, 4 errors in a row tolerated. */
const ARGO = { count: 3, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 };
const limits = (overrides: Partial<Limits> = {}): Limits => ({ ...ARGO, ...overrides });
const letters = (phases: readonly MeasurementPhase[]) => phases.map((p) => p[0]!.toUpperCase()).join('');

interface Case {
  readonly phases: MeasurementPhase[];
  readonly limits: Partial<Limits>;
  /** The verdict, or running when the measurements leave it undecided. */
  readonly verdict: string;
  /** Why, where the case comes from: Argo's own tests, the issue, or a deliberate difference. */
  readonly because: string;
}

function table(cases: readonly Case[]) {
  for (const { phases, limits: overrides, verdict, because } of cases) {
    it(`${letters(phases) || '(none)'} with ${JSON.stringify(overrides)} → ${verdict}: ${because}`, () => {
      const judged = judgeProbe(phases, limits(overrides));
      assert.equal(judged.verdict, verdict, judged.reason);
      assert.equal(judged.decided, verdict !== 'running');
      assert.ok(judged.reason.length > 0);
    });
  }
}

describe("judgeProbe: Argo Rollouts' assessMetricStatus, transcribed as facts", () => {
  table([
    { phases: [], limits: {}, verdict: 'running', because: 'no measurement yet (Argo: Pending)' },
    { phases: [S, S], limits: {}, verdict: 'running', because: 'count not reached' },
    { phases: [S, S, S], limits: {}, verdict: 'successful', because: 'count reached within limits' },
    { phases: [F], limits: {}, verdict: 'failed', because: 'failed (1) > failureLimit (0)' },
    {
      phases: [F, S, F],
      limits: { count: 5, failureLimit: 2 },
      verdict: 'running',
      because: 'failed (2) is not > failureLimit (2)',
    },
    {
      phases: [F, F, F],
      limits: { count: 5, failureLimit: 2 },
      verdict: 'failed',
      because: 'failed (3) > failureLimit (2)',
    },
    {
      phases: [F, F, S, S, S],
      limits: { count: 5, failureLimit: 2 },
      verdict: 'successful',
      because: 'count reached: failures under the limit are ignored',
    },
    {
      phases: [I, I, I],
      limits: { count: 5, inconclusiveLimit: 2 },
      verdict: 'inconclusive',
      because: 'inconclusive (3) > inconclusiveLimit (2)',
    },
    { phases: [I], limits: {}, verdict: 'inconclusive', because: 'inconclusiveLimit defaults to 0' },
    {
      phases: [E, E, E, E],
      limits: {},
      verdict: 'running',
      because: 'consecutiveErrors (4) is not > the default consecutiveErrorLimit (4)',
    },
    {
      phases: [E, E, E, E, E],
      limits: {},
      verdict: 'error',
      because: 'consecutiveErrors (5) > consecutiveErrorLimit (4)',
    },
    {
      phases: [E, E, E, E, E],
      limits: { consecutiveErrorLimit: 5 },
      verdict: 'running',
      because: 'a custom consecutiveErrorLimit (5)',
    },
    {
      phases: [E, E, E, E, S, E, E, E, E, S, E, E, E, E],
      limits: {},
      verdict: 'running',
      because: 'a success between errors resets the run of errors; errors do not count toward count',
    },
    {
      phases: [E, E, E, E, S, E, E, E, E, S, E, E, E, E, S],
      limits: {},
      verdict: 'successful',
      because: 'the third counted measurement reaches count',
    },
    {
      phases: [F, E, E, E, E, E],
      limits: { count: 5, failureLimit: 2 },
      verdict: 'error',
      because: 'errors in a row end it while failures are still tolerated',
    },
  ]);
});

describe("judgeProbe: consecutive-successes (Argo's consecutiveSuccessLimit) and failure-limit -1", () => {
  table([
    {
      phases: [F, S, S],
      limits: { count: 5, failureLimit: 3, consecutiveSuccesses: 2 },
      verdict: 'successful',
      because: 'the streak is reached before count',
    },
    {
      phases: [S, E, S],
      limits: { count: 5, failureLimit: 3, consecutiveSuccesses: 2 },
      verdict: 'running',
      because: 'an error breaks the streak: the service was not seen healthy in between',
    },
    {
      phases: [F, F, S, F, S],
      limits: { count: 5, failureLimit: 3, consecutiveSuccesses: 2 },
      verdict: 'inconclusive',
      because: 'both limits apply and neither was reached by count',
    },
    {
      phases: [F, F, S, F],
      limits: { count: 5, failureLimit: 3, consecutiveSuccesses: 2 },
      verdict: 'running',
      because: 'the streak is out of reach, but a failure could still come',
    },
    {
      phases: [F, F, S, F, F],
      limits: { count: 5, failureLimit: 3, consecutiveSuccesses: 2 },
      verdict: 'failed',
      because: 'failed (4) > failureLimit (3)',
    },
    {
      phases: [F, F, F, S, S],
      limits: { count: 5, failureLimit: -1, consecutiveSuccesses: 2 },
      verdict: 'successful',
      because: 'failure-limit -1: failures never fail, the streak decides',
    },
    {
      phases: [F, F, F, F],
      limits: { count: 4, failureLimit: -1, consecutiveSuccesses: 2 },
      verdict: 'failed',
      because: 'judged by the streak alone, count reached without it fails',
    },
  ]);
});

describe('judgeProbe: the sequences the issue measured against Argo', () => {
  table([
    {
      phases: [S, S, F],
      limits: { count: 5, failureLimit: 1, consecutiveSuccesses: 3 },
      verdict: 'running',
      because: 'the streak is out of reach, but a second failure could still come (was: inconclusive)',
    },
    {
      phases: [S, S, F, F],
      limits: { count: 5, failureLimit: 1, consecutiveSuccesses: 3 },
      verdict: 'failed',
      because: '200, 200, 500, 500: Argo ends Failed at the second 500',
    },
    {
      phases: [S, E, S, E, S],
      limits: { count: 5 },
      verdict: 'running',
      because: '200, timeout repeated: errors are retried, not counted (was: error after 2)',
    },
    {
      phases: [S, E, S, E, S, E, S, E, S],
      limits: { count: 5 },
      verdict: 'successful',
      because: '200, timeout repeated: successful after 5 counted measurements, as Argo',
    },
    {
      phases: [S, E, S, F],
      limits: { count: 3 },
      verdict: 'failed',
      because: '200, timeout, 200, 500 with count 3: the error did not use up the count (was: successful)',
    },
  ]);
});

describe('judgeProbe: our own, on purpose', () => {
  table([
    {
      phases: [F, I, I],
      limits: { count: 3, failureLimit: 1, inconclusiveLimit: 2 },
      verdict: 'inconclusive',
      because: 'no measurement succeeded: nothing proves health (Argo: Successful)',
    },
    {
      phases: [E, S, E],
      limits: { errorLimit: 1 },
      verdict: 'error',
      because: 'error-limit (ours, off by default) bounds errors in all',
    },
    {
      phases: [E, S, E, S, E, S],
      limits: {},
      verdict: 'successful',
      because: 'without error-limit, scattered errors are retried',
    },
    {
      phases: Array.from({ length: 40 }, () => S),
      limits: { count: Number.POSITIVE_INFINITY, consecutiveSuccesses: 41 },
      verdict: 'running',
      because: 'count unbounded: measured until a limit or the streak decides',
    },
  ]);
});

describe('judgeCheck: fail fast across probes, dry runs aside', () => {
  const probe = (verdict: string, dryRun = false) => ({
    judgement: { verdict: verdict as 'running', decided: verdict !== 'running', reason: '' },
    dryRun,
  });

  it('is decided as soon as one probe fails, even while others still run', () => {
    assert.deepEqual(judgeCheck([probe('running'), probe('failed'), probe('successful')]), {
      verdict: 'failed',
      decided: true,
    });
  });
  it('waits while any probe is undecided and none has failed', () => {
    assert.deepEqual(judgeCheck([probe('successful'), probe('running')]), {
      verdict: 'running',
      decided: false,
    });
  });
  it('reports the worst decided verdict: failed > error > inconclusive', () => {
    assert.equal(judgeCheck([probe('inconclusive'), probe('error'), probe('failed')]).verdict, 'failed');
    assert.equal(judgeCheck([probe('inconclusive'), probe('error'), probe('successful')]).verdict, 'error');
    assert.equal(judgeCheck([probe('successful'), probe('inconclusive')]).verdict, 'inconclusive');
  });
  it('a dry run that failed decides nothing, and the check waits for a dry run still measuring', () => {
    assert.deepEqual(judgeCheck([probe('successful'), probe('failed', true)]), {
      verdict: 'successful',
      decided: true,
    });
    assert.deepEqual(judgeCheck([probe('successful'), probe('running', true)]), {
      verdict: 'running',
      decided: false,
    });
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
  const PHASES = [S, F, I, E] as const;

  /**
   * Argo's controller, replayed as an independent reference: after every completed measurement
   * the counters are updated as its runMeasurements does and the metric assessed as its
   * assessMetricStatus does; the first completed phase ends it. Ours differs in one place, on
   * purpose: count reached with no success at all is inconclusive, not successful.
   */
  function argo(phases: readonly MeasurementPhase[], l: Limits): string {
    const result = {
      count: 0,
      successful: 0,
      failed: 0,
      inconclusive: 0,
      error: 0,
      consecutiveError: 0,
      consecutiveSuccess: 0,
    };
    for (const phase of phases) {
      result[phase]++;
      if (phase !== 'error') result.count++;
      result.consecutiveError = phase === 'error' ? result.consecutiveError + 1 : 0;
      result.consecutiveSuccess = phase === 'successful' ? result.consecutiveSuccess + 1 : 0;
      let completed = '';
      // assessMetricFailureInconclusiveOrError: each check overrides the one before it.
      if (l.failureLimit >= 0 && result.failed > l.failureLimit) completed = 'failed';
      if (result.inconclusive > l.inconclusiveLimit) completed = 'inconclusive';
      if (result.consecutiveError > l.consecutiveErrorLimit) completed = 'error';
      if (!completed && l.errorLimit !== undefined && result.error > l.errorLimit) completed = 'error';
      if (!completed && l.consecutiveSuccesses && result.consecutiveSuccess >= l.consecutiveSuccesses)
        completed = 'successful';
      if (!completed && result.count >= l.count) {
        const successApplies = l.consecutiveSuccesses !== undefined;
        const failureApplies = l.failureLimit >= 0;
        if (successApplies) completed = failureApplies ? 'inconclusive' : 'failed';
        else completed = result.successful === 0 ? 'inconclusive' : 'successful';
      }
      if (completed) return completed;
    }
    return 'running';
  }

  function randomCase(next: () => number) {
    const pick = (n: number) => Math.floor(next() * n);
    const unbounded = next() < 0.1;
    const count = unbounded ? Number.POSITIVE_INFINITY : 1 + pick(7);
    const reach = unbounded ? 8 : count;
    const streak =
      unbounded || (count > 1 && next() < 0.5) ? { consecutiveSuccesses: 2 + pick(reach - 1) } : {};
    const l: Limits = {
      count,
      // -1 (failures never fail) only beside a streak and a bound, as the settings require.
      failureLimit: 'consecutiveSuccesses' in streak && !unbounded && next() < 0.25 ? -1 : pick(reach),
      inconclusiveLimit: pick(reach),
      consecutiveErrorLimit: pick(5),
      ...(next() < 0.3 ? { errorLimit: pick(6) } : {}),
      ...streak,
    };
    // Weighted so that streaks, limits and count are all reached often: S 50 %, F 20 %, I 10 %, E 20 %.
    const phase = () => {
      const r = next();
      return r < 0.5 ? S : r < 0.7 ? F : r < 0.8 ? I : E;
    };
    const phases = Array.from({ length: 4 + pick(40) }, phase);
    return { l, phases };
  }

  it('20,000 random sequences and limits: every decision is final, and is the verdict of measuring on', () => {
    const next = random(20261125);
    for (let run = 0; run < 20_000; run++) {
      const { l, phases } = randomCase(next);
      const full = judgeProbe(phases, l);
      for (let measured = 0; measured <= phases.length; measured++) {
        const judged = judgeProbe(phases.slice(0, measured), l);
        if (!judged.decided) continue;
        assert.equal(
          judged.verdict,
          full.verdict,
          `${letters(phases.slice(0, measured))} decided ${judged.verdict}, but measuring on (${letters(phases)}) gives ${full.verdict} with ${JSON.stringify(l)}`,
        );
        break;
      }
    }
  });

  it("20,000 random sequences and limits: the verdict is Argo's, replayed measurement by measurement", () => {
    const next = random(7);
    for (let run = 0; run < 20_000; run++) {
      const { l, phases } = randomCase(next);
      assert.equal(
        judgeProbe(phases, l).verdict,
        argo(phases, l),
        `${letters(phases)} with ${JSON.stringify(l)}`,
      );
    }
  });

  it('every bounded probe ends: count × (consecutive-error-limit + 1) measurements always decide it', () => {
    const next = random(42);
    for (let run = 0; run < 5_000; run++) {
      const { l } = randomCase(next);
      if (!Number.isFinite(l.count)) continue;
      const longest = l.count * (l.consecutiveErrorLimit + 1) + l.consecutiveErrorLimit;
      const phases = Array.from({ length: longest }, () => PHASES[Math.floor(next() * 4)]!);
      assert.ok(judgeProbe(phases, l).decided, `${letters(phases)} with ${JSON.stringify(l)}`);
    }
  });
});
