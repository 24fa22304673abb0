import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { afterAnalysis, pauseExpired, splitHolds } from '../../src/canary/canary-decision.ts';
import { judgeMetric, type MetricReading } from '../../src/canary/judge-metric.ts';
import type { TemplateBound, TemplateKind } from '../../src/model/canary.ts';

const reading = (
  canary: number | undefined,
  stable: number | undefined,
  requests = [100, 400],
): MetricReading => ({
  ...(canary !== undefined ? { canary } : {}),
  ...(stable !== undefined ? { stable } : {}),
  canaryRequests: requests[0]!,
  stableRequests: requests[1]!,
});
const max = (value: number): TemplateBound => ({ kind: 'max', value });
const overStable = (value: number): TemplateBound => ({ kind: 'max-over-stable', value });
const timesStable = (value: number): TemplateBound => ({ kind: 'max-times-stable', value });

interface Case {
  readonly template: TemplateKind;
  readonly bound: TemplateBound;
  readonly reading: MetricReading;
  readonly phase: 'successful' | 'failed' | 'inconclusive';
  readonly reason: RegExp;
}

describe('judgeMetric: one measurement of a template, canary against a bound or against stable', () => {
  const cases: Case[] = [
    {
      template: 'error-ratio',
      bound: max(0.01),
      reading: reading(0.005, 0),
      phase: 'successful',
      reason: /^canary 0\.5 % ≤ max 1 % \(100 requests\)$/,
    },
    {
      template: 'error-ratio',
      bound: max(0.01),
      reading: reading(0.2, 0),
      phase: 'failed',
      reason: /^canary 20 % > max 1 %/,
    },
    {
      template: 'error-ratio',
      bound: max(0.01),
      reading: reading(0.01, 0),
      phase: 'successful',
      reason: /≤ max 1 %/,
    },
    // Against stable in the same window: a bad backend hurts both, and the canary is not blamed.
    {
      template: 'error-ratio',
      bound: overStable(0.005),
      reading: reading(0.1, 0.098),
      phase: 'successful',
      reason: /canary 10 % ≤ stable 9\.8 % \+ 0\.5 %/,
    },
    {
      template: 'error-ratio',
      bound: overStable(0.005),
      reading: reading(0.02, 0),
      phase: 'failed',
      reason: /canary 2 % > stable 0 % \+ 0\.5 %/,
    },
    {
      template: 'latency',
      bound: timesStable(1.2),
      reading: reading(0.21, 0.2),
      phase: 'successful',
      reason: /canary 210 ms ≤ stable 200 ms × 1\.2/,
    },
    {
      template: 'app-latency',
      bound: timesStable(1.2),
      reading: reading(0.25, 0.005),
      phase: 'failed',
      reason: /canary 250 ms > stable 5 ms × 1\.2/,
    },
    {
      template: 'app-latency',
      bound: max(0.3),
      reading: reading(0.25, undefined),
      phase: 'successful',
      reason: /≤ max 300 ms/,
    },
    // Never success without evidence.
    {
      template: 'error-ratio',
      bound: max(0.01),
      reading: reading(0, 0, [9, 400]),
      phase: 'inconclusive',
      reason: /^9 canary requests in the window, fewer than min-requests \(10\)/,
    },
    {
      template: 'error-ratio',
      bound: max(0.01),
      reading: reading(undefined, 0, [0, 400]),
      phase: 'inconclusive',
      reason: /^0 canary requests/,
    },
    {
      template: 'latency',
      bound: max(0.3),
      reading: reading(undefined, 0.1),
      phase: 'inconclusive',
      reason: /^no data for the canary/,
    },
    {
      template: 'error-ratio',
      bound: overStable(0.005),
      reading: reading(0, 0, [100, 3]),
      phase: 'inconclusive',
      reason: /^3 stable requests .*nothing to compare with/,
    },
    {
      template: 'latency',
      bound: timesStable(1.2),
      reading: reading(0.1, undefined),
      phase: 'inconclusive',
      reason: /^no data for stable/,
    },
    {
      template: 'latency',
      bound: timesStable(1.2),
      reading: reading(Number.NaN, 0.1),
      phase: 'inconclusive',
      reason: /^no data for the canary/,
    },
  ];
  for (const { template, bound, reading: read, phase, reason } of cases)
    it(`${template} ${bound.kind} ${bound.value} over ${JSON.stringify(read)} → ${phase}`, () => {
      const judged = judgeMetric(template, bound, read, 10);
      assert.equal(judged.phase, phase, judged.reason);
      assert.match(judged.reason, reason);
      assert.equal(judged.value.requests, read.canaryRequests);
    });

  it('min-requests 0 still needs one request: an idle canary proves nothing', () => {
    assert.equal(judgeMetric('error-ratio', max(0.01), reading(0, 0, [0, 0]), 0).phase, 'inconclusive');
  });
});

describe('afterAnalysis: what a decided analysis means for the canary', () => {
  const cases = [
    { verdict: 'successful', move: 'go-on', markBad: undefined, reason: undefined },
    {
      verdict: 'failed',
      move: 'abort',
      markBad: true,
      reason: /^the background analysis failed: errors: canary 20 %/,
    },
    {
      verdict: 'inconclusive',
      move: 'abort',
      markBad: false,
      reason: /was inconclusive \(never promoted on that\)/,
    },
    { verdict: 'error', move: 'abort', markBad: false, reason: /could not measure \(failing closed\)/ },
  ] as const;
  for (const { verdict, move, markBad, reason } of cases)
    it(`${verdict} → ${move}${markBad ? ', marked bad' : ''}`, () => {
      const decided = afterAnalysis({
        by: 'background',
        verdict,
        metric: 'errors',
        reason: 'canary 20 % > max 1 %',
      });
      assert.equal(decided.kind, move);
      if (decided.kind === 'abort') {
        assert.equal(decided.markBad, markBad);
        assert.match(decided.reason, reason!);
      }
    });
});

describe('splitHolds: the proxy read back gives the canary the share asked for', () => {
  const cases: { shares: Record<string, number>; percent: number; holds: boolean }[] = [
    { shares: { blue: 80, green: 20 }, percent: 20, holds: true },
    { shares: { blue: 79, green: 21 }, percent: 20, holds: true },
    { shares: { blue: 100, green: 0 }, percent: 20, holds: false },
    { shares: { blue: 50, green: 50 }, percent: 20, holds: false },
    { shares: { blue: 100 }, percent: 0, holds: true },
    { shares: { green: 100 }, percent: 100, holds: true },
    { shares: {}, percent: 20, holds: false },
  ];
  for (const { shares, percent, holds } of cases)
    it(`${JSON.stringify(shares)} at ${percent} % → ${holds}`, () =>
      assert.equal(splitHolds(shares, 'green', 'blue', percent), holds));
});

describe('pauseExpired: a canary paused past canary-timeout is aborted, never promoted', () => {
  it('within the timeout it may be promoted; past it, why it is not', () => {
    assert.equal(pauseExpired(0, 60_000, 60_000), undefined);
    assert.match(
      pauseExpired(0, 61_000, 60_000)!,
      /^it waited for promotion 1 m 1 s, longer than canary-timeout \(1 m 0 s\)$/,
    );
  });
});
