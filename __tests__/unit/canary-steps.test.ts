import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCanarySteps, type StepsRequest } from '../../src/canary/run-canary-steps.ts';
import { InterruptedError } from '../../src/errors.ts';
import type { JudgedProbe } from '../../src/health/engine.ts';
import type { Probe } from '../../src/health/probe.ts';
import type { CanaryAnalysis, CanaryStep } from '../../src/model/canary.ts';
import type { Judgement } from '../../src/model/health.ts';
import { FakeClock } from '../fixtures/fake-clock.ts';
import { recordingLogger } from '../fixtures/recording-logger.ts';

const MINUTE = 60_000;
type Phase = 'successful' | 'failed' | 'inconclusive';

/** A metric that answers `phases` in turn (then the last one forever). */
function metric(name: string, phases: readonly Phase[]): Probe {
  let taken = 0;
  return {
    name,
    type: 'fake',
    target: name,
    measure: async () => {
      const phase = phases[Math.min(taken++, phases.length - 1)]!;
      return {
        phase,
        value: { requests: 100, canary: phase === 'failed' ? 0.2 : 0 },
        reason: `${name} ${phase}`,
      };
    },
  };
}

const judgement = (overrides: Partial<Judgement> = {}): Judgement => ({
  intervalMs: 10_000,
  count: Number.POSITIVE_INFINITY,
  initialDelayMs: 30_000,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  timeoutMs: 5000,
  startTimeoutMs: 0,
  dryRun: false,
  ...overrides,
});
const background = (phases: readonly Phase[]): JudgedProbe[] => [
  { probe: metric('errors', phases), judgement: judgement() },
];
const ANALYSIS = {} as CanaryAnalysis;

/** The engine over virtual time, with the weights it set (and when) and the steps it recorded. */
function run(steps: CanaryStep[], overrides: Partial<StepsRequest> = {}) {
  const clock = new FakeClock(0);
  const weights: { at: number; weight: number }[] = [];
  const recorded: [number, number][] = [];
  const ended = runCanarySteps({
    steps,
    from: 0,
    weight: 0,
    promoted: false,
    probesOf: () => [
      { probe: metric('step', ['successful']), judgement: judgement({ count: 2, initialDelayMs: 0 }) },
    ],
    setWeight: async (weight) => {
      weights.push({ at: clock.now(), weight });
    },
    atStep: async (step, weight) => {
      recorded.push([step, weight]);
    },
    clock,
    signal: new AbortController().signal,
    logger: recordingLogger().logger,
    ...overrides,
  });
  return { ended, weights, recorded, clock };
}

const STEPS: CanaryStep[] = [
  { kind: 'set-weight', weight: 20 },
  { kind: 'pause', ms: 10 * MINUTE },
  { kind: 'set-weight', weight: 50 },
  { kind: 'pause', ms: 10 * MINUTE },
];

describe('runCanarySteps: the steps in order, judged by the background analysis at every moment', () => {
  it('healthy: every weight set in turn, then ready to promote after the last pause; the background analysis stops', async () => {
    const { ended, weights, clock } = run(STEPS, { background: background(['successful']) });
    const end = await ended;
    assert.equal(end.kind, 'promote');
    assert.deepEqual(weights, [
      { at: 0, weight: 20 },
      { at: 10 * MINUTE, weight: 50 },
    ]);
    assert.equal(clock.now(), 20 * MINUTE);
    assert.deepEqual(
      end.report.steps.map((s) => [s.step, s.result]),
      [
        [1, 'done'],
        [2, 'done'],
        [3, 'done'],
        [4, 'done'],
      ],
    );
    // Measured every 10 s from 30 s after the first weight, until promotion.
    assert.equal(end.report.samples.length, 117);
  });

  it('a failing measurement aborts at once, in the middle of a 10-minute pause, not at its end', async () => {
    const { ended, weights, clock } = run(STEPS, { background: background(['successful', 'failed']) });
    const end = await ended;
    assert.equal(end.kind, 'abort');
    assert.equal(clock.now(), 40_000, 'decided at the second measurement (30 s + 10 s)');
    assert.deepEqual([end.step, end.weight], [1, 20]);
    assert.equal(end.kind === 'abort' && end.markBad, true);
    assert.match(
      end.kind === 'abort' ? end.reason : '',
      /^the background analysis failed: errors: errors failed/,
    );
    assert.deepEqual(
      weights.map((w) => w.weight),
      [20],
      'no weight after the failure',
    );
    assert.equal(end.report.steps.at(-1)?.result, 'aborted');
  });

  it('no data is never success: an inconclusive background aborts without blaming the version', async () => {
    const end = await run(STEPS, { background: background(['inconclusive']) }).ended;
    assert.equal(end.kind, 'abort');
    assert.equal(end.kind === 'abort' && end.markBad, false);
  });

  it('an analysis step that fails aborts; one that succeeds goes on', async () => {
    const failing = run(
      [
        { kind: 'set-weight', weight: 10 },
        { kind: 'analysis', analysis: ANALYSIS },
        { kind: 'set-weight', weight: 50 },
      ],
      {
        probesOf: () => [
          {
            probe: metric('step', ['successful', 'failed']),
            judgement: judgement({ count: 3, initialDelayMs: 0 }),
          },
        ],
      },
    );
    const end = await failing.ended;
    assert.deepEqual([end.kind, end.step], ['abort', 1]);
    assert.match(end.kind === 'abort' ? end.reason : '', /^the step 2 analysis failed/);
    assert.deepEqual(
      failing.weights.map((w) => w.weight),
      [10],
    );
    const passing = await run([
      { kind: 'set-weight', weight: 10 },
      { kind: 'analysis', analysis: ANALYSIS },
      { kind: 'set-weight', weight: 50 },
    ]).ended;
    assert.equal(passing.kind, 'promote');
  });

  it('pause: {} ends the run paused there; promoted, it goes on from that pause with the weight it had', async () => {
    const steps: CanaryStep[] = [
      { kind: 'set-weight', weight: 25 },
      { kind: 'pause' },
      { kind: 'set-weight', weight: 75 },
    ];
    const first = run(steps);
    const paused = await first.ended;
    assert.deepEqual([paused.kind, paused.step, paused.weight], ['paused', 1, 25]);
    assert.deepEqual(first.recorded, [
      [0, 25],
      [1, 25],
    ]);
    const resumed = run(steps, {
      from: 1,
      weight: 25,
      promoted: true,
      background: background(['successful']),
    });
    const end = await resumed.ended;
    assert.equal(end.kind, 'promote');
    assert.deepEqual(
      resumed.weights.map((w) => w.weight),
      [75],
    );
  });

  it('a cancel stops the run with InterruptedError, the weight left for the strategy to take back', async () => {
    const cancel = new AbortController();
    const { ended, clock } = run(STEPS, { signal: cancel.signal, background: background(['successful']) });
    const until = clock.sleep(5 * MINUTE).then(() => cancel.abort(new InterruptedError('cancelled')));
    await assert.rejects(ended, InterruptedError);
    await until;
  });
});
