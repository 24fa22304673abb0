import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InterruptedError } from '../../src/errors.ts';
import { type JudgedProbe, runHealthChecks } from '../../src/health/engine.ts';
import type { Probe, ProbeOutcome } from '../../src/health/probe.ts';
import type { Judgement } from '../../src/health/verdict.ts';
import { FakeClock } from '../fixtures/fake-clock.ts';

type Step = 'ok' | 'fail' | 'unsure' | 'throw' | 'hang';

const PHASE_OF = { ok: 'successful', fail: 'failed', unsure: 'inconclusive' } as const;

/** A probe that plays a script, one step per measurement, and records when each began and whether it was aborted. */
function scripted(name: string, steps: Step[], clock: FakeClock) {
  const calls: { at: number; aborted: boolean }[] = [];
  const probe: Probe = {
    name,
    type: 'fake',
    target: name,
    measure(signal) {
      const call = { at: clock.now(), aborted: false };
      calls.push(call);
      const step = steps[calls.length - 1] ?? 'ok';
      if (step === 'hang') {
        return new Promise<ProbeOutcome>((_, reject) =>
          signal.addEventListener('abort', () => {
            call.aborted = true;
            reject(new Error('aborted'));
          }),
        );
      }
      if (step === 'throw') return Promise.reject(new Error('connection refused (127.0.0.1:1)'));
      return Promise.resolve({ phase: PHASE_OF[step], value: step, reason: step });
    },
  };
  return { probe, calls };
}

const judgement = (overrides: Partial<Judgement> = {}): Judgement => ({
  intervalMs: 10_000,
  count: 3,
  initialDelayMs: 0,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  timeoutMs: 5000,
  startTimeoutMs: 0,
  dryRun: false,
  ...overrides,
});

describe('health engine (virtual time)', () => {
  it('measures each probe count times, interval apart, after the initial delay', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const a = scripted('a', ['ok', 'ok', 'ok'], clock);
    const result = await runHealthChecks(
      [{ probe: a.probe, judgement: judgement({ initialDelayMs: 30_000 }) }],
      { clock },
    );
    assert.equal(result.verdict, 'successful');
    assert.deepEqual(
      a.calls.map((c) => c.at - start),
      [30_000, 40_000, 50_000],
    );
    assert.equal(result.probes[0]!.measurements.length, 3);
    assert.equal(result.durationMs, 50_000);
  });

  it('runs probes in parallel, not one after another', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const probes = ['a', 'b', 'c'].map((name) => scripted(name, ['ok', 'ok', 'ok'], clock));
    const result = await runHealthChecks(
      probes.map(({ probe }) => ({ probe, judgement: judgement() })),
      { clock },
    );
    assert.equal(result.verdict, 'successful');
    for (const { calls } of probes)
      assert.deepEqual(
        calls.map((c) => c.at - start),
        [0, 10_000, 20_000],
      );
    assert.equal(result.durationMs, 20_000);
  });

  it('fails fast: one failing probe stops the check and aborts the others in flight', async () => {
    const clock = new FakeClock();
    const bad = scripted('bad', ['ok', 'fail'], clock);
    const slow = scripted('slow', ['ok', 'hang'], clock);
    const patient = scripted('patient', ['ok', 'ok', 'ok'], clock);
    const probes: JudgedProbe[] = [
      { probe: bad.probe, judgement: judgement() },
      { probe: slow.probe, judgement: judgement({ intervalMs: 9_000, timeoutMs: 60_000 }) },
      { probe: patient.probe, judgement: judgement({ intervalMs: 20_000 }) },
    ];
    const result = await runHealthChecks(probes, { clock });
    assert.equal(result.verdict, 'failed');
    assert.equal(result.decidedBy, 'bad');
    assert.equal(result.durationMs, 10_000, 'decided at the failing measurement, not after every count');
    assert.deepEqual(
      slow.calls.map((c) => c.aborted),
      [false, true],
      'the hanging measurement was aborted',
    );
    assert.equal(patient.calls.length, 1, 'no measurement starts after the decision');
    assert.deepEqual(
      result.probes.map((p) => [p.name, p.verdict, p.measurements.length]),
      [
        ['bad', 'failed', 2],
        ['slow', 'stopped', 1],
        ['patient', 'stopped', 1],
      ],
    );
  });

  it('counts a measurement that outlives its timeout as an error, and aborts it', async () => {
    const clock = new FakeClock();
    const hanging = scripted('hanging', ['hang'], clock);
    const result = await runHealthChecks(
      [{ probe: hanging.probe, judgement: judgement({ timeoutMs: 2000, consecutiveErrorLimit: 0 }) }],
      { clock },
    );
    assert.equal(result.verdict, 'error');
    const [measurement] = result.probes[0]!.measurements;
    assert.equal(measurement!.phase, 'error');
    assert.equal(measurement!.reason, 'timed out after 2.0 s');
    assert.equal(measurement!.latencyMs, 2000);
    assert.equal(hanging.calls[0]!.aborted, true);
  });

  it('retries an error without counting it toward count, and records why it could not run', async () => {
    const clock = new FakeClock();
    const refused = scripted('db', ['throw', 'ok', 'throw', 'ok', 'ok'], clock);
    const result = await runHealthChecks([{ probe: refused.probe, judgement: judgement() }], { clock });
    assert.equal(result.verdict, 'successful');
    assert.deepEqual(
      result.probes[0]!.measurements.map((m) => [m.phase, m.reason]),
      [
        ['error', 'connection refused (127.0.0.1:1)'],
        ['successful', 'ok'],
        ['error', 'connection refused (127.0.0.1:1)'],
        ['successful', 'ok'],
        ['successful', 'ok'],
      ],
      'three counted measurements, as count says, and two retried errors',
    );
  });

  it('keeps its pace start to start: an error is retried one interval after the last start, a slow answer is followed at once', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const took = [2_000, 15_000, 1_000, 1_000];
    const calls: number[] = [];
    const slow: Probe = {
      name: 'slow',
      type: 'fake',
      target: 'slow',
      async measure(signal) {
        calls.push(clock.now() - start);
        await clock.sleep(took[calls.length - 1]!, signal);
        if (calls.length === 1) throw new Error('connection reset');
        return { phase: 'successful', value: 200, reason: 'status 200' };
      },
    };
    const result = await runHealthChecks([{ probe: slow, judgement: judgement({ timeoutMs: 20_000 }) }], {
      clock,
    });
    assert.equal(result.verdict, 'successful');
    // Argo would retry the error 10 s after it ended (12 s) and wait 10 s after the slow one.
    assert.deepEqual(calls, [0, 10_000, 25_000, 30_000]);
  });

  it('start-timeout: a service still starting (refused five times) is waited for, then judged as usual', async () => {
    const clock = new FakeClock();
    const slow = scripted(
      'slow',
      ['throw', 'throw', 'throw', 'throw', 'throw', 'throw', 'ok', 'ok', 'ok'],
      clock,
    );
    const result = await runHealthChecks(
      [{ probe: slow.probe, judgement: judgement({ intervalMs: 1000, startTimeoutMs: 30_000 }) }],
      { clock },
    );
    assert.equal(result.verdict, 'successful', result.probes[0]!.reason);
    const measurements = result.probes[0]!.measurements;
    assert.deepEqual(
      measurements.map((m) => [m.phase, m.startUp ?? false]),
      [
        ...Array.from({ length: 6 }, () => ['error', true]),
        ['successful', false],
        ['successful', false],
        ['successful', false],
      ],
    );
  });

  it('start-timeout: no answer by then is an error that says so and names start-timeout', async () => {
    const clock = new FakeClock();
    const dead = scripted(
      'dead',
      Array.from({ length: 50 }, () => 'throw' as const),
      clock,
    );
    const result = await runHealthChecks(
      [{ probe: dead.probe, judgement: judgement({ intervalMs: 1000, startTimeoutMs: 10_000 }) }],
      { clock },
    );
    assert.equal(result.verdict, 'error');
    assert.equal(dead.calls.length, 11, 'measured from 0 s to 10 s, then given up');
    assert.match(
      result.probes[0]!.reason,
      /^connection refused \(127\.0\.0\.1:1\) \(no answer within start-timeout \(10\.0 s\): raise start-timeout if the service needs longer to start\)/,
    );
  });

  it('start-timeout: an answer ends the wait; errors after it count as ever, and a bad answer fails at once', async () => {
    const clock = new FakeClock();
    const flaky = scripted('flaky', ['throw', 'ok', 'throw', 'throw', 'throw', 'throw', 'throw'], clock);
    const broken = scripted('broken', ['throw', 'fail'], clock);
    const result = await runHealthChecks(
      [
        { probe: flaky.probe, judgement: judgement({ intervalMs: 1000, startTimeoutMs: 30_000 }) },
        { probe: broken.probe, judgement: judgement({ intervalMs: 1000, startTimeoutMs: 30_000 }) },
      ],
      { clock },
    );
    assert.equal(result.verdict, 'failed');
    assert.equal(result.decidedBy, 'broken');
    assert.equal(broken.calls.length, 2, 'a 500 from a service that is up is judged at once');
  });

  it('errs on the fifth error in a row (consecutive-error-limit 4), interval apart', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const down = scripted('down', ['ok', 'throw', 'throw', 'throw', 'throw', 'throw', 'ok'], clock);
    const result = await runHealthChecks([{ probe: down.probe, judgement: judgement() }], { clock });
    assert.equal(result.verdict, 'error');
    assert.equal(down.calls.length, 6);
    assert.deepEqual(
      down.calls.map((c) => c.at - start),
      [0, 10_000, 20_000, 30_000, 40_000, 50_000],
    );
    assert.match(result.probes[0]!.reason, /errors in a row \(5\) > consecutive-error-limit \(4\)/);
  });

  it('takes every counted measurement when only tolerant limits are set: an error streak could still come', async () => {
    const clock = new FakeClock();
    const a = scripted('a', ['ok', 'ok', 'ok', 'ok', 'ok'], clock);
    const result = await runHealthChecks(
      [{ probe: a.probe, judgement: judgement({ count: 5, failureLimit: 4 }) }],
      { clock },
    );
    assert.equal(result.verdict, 'successful');
    assert.equal(a.calls.length, 5);
  });

  it('judges an inconclusive measurement against inconclusive-limit', async () => {
    const clock = new FakeClock();
    const unsure = scripted('unsure', ['ok', 'unsure', 'ok', 'unsure'], clock);
    const result = await runHealthChecks(
      [{ probe: unsure.probe, judgement: judgement({ count: 5, inconclusiveLimit: 1 }) }],
      { clock },
    );
    assert.equal(result.verdict, 'inconclusive');
    assert.equal(unsure.calls.length, 4);
    assert.match(result.probes[0]!.reason, /^unsure \(inconclusive \(2\) > inconclusive-limit \(1\)/);
  });

  it('a dry-run probe is measured and reported but never decides the check, which waits for it', async () => {
    const clock = new FakeClock();
    const real = scripted('real', ['ok', 'ok', 'ok'], clock);
    const trial = scripted('trial', ['fail', 'ok'], clock);
    const result = await runHealthChecks(
      [
        { probe: real.probe, judgement: judgement() },
        { probe: trial.probe, judgement: judgement({ dryRun: true, intervalMs: 30_000 }) },
      ],
      { clock },
    );
    assert.equal(result.verdict, 'successful');
    assert.equal(result.decidedBy, undefined);
    assert.deepEqual(
      result.probes.map((p) => [p.name, p.verdict, p.dryRun ?? false, p.measurements.length]),
      [
        ['real', 'successful', false, 3],
        ['trial', 'failed', true, 1],
      ],
    );
  });

  it('a counted probe that fails stops a dry-run probe still measuring', async () => {
    const clock = new FakeClock();
    const real = scripted('real', ['ok', 'fail'], clock);
    const trial = scripted('trial', ['ok', 'ok', 'ok'], clock);
    const result = await runHealthChecks(
      [
        { probe: real.probe, judgement: judgement() },
        { probe: trial.probe, judgement: judgement({ dryRun: true, intervalMs: 30_000 }) },
      ],
      { clock },
    );
    assert.equal(result.verdict, 'failed');
    assert.equal(result.decidedBy, 'real');
    assert.deepEqual(
      result.probes.map((p) => p.verdict),
      ['failed', 'stopped'],
    );
  });

  it('waits for consecutive successes, then stops', async () => {
    const clock = new FakeClock();
    const warming = scripted('warming', ['fail', 'fail', 'ok', 'ok', 'ok'], clock);
    const result = await runHealthChecks(
      [
        {
          probe: warming.probe,
          judgement: judgement({ count: 10, failureLimit: 5, consecutiveSuccesses: 2 }),
        },
      ],
      { clock },
    );
    assert.equal(result.verdict, 'successful');
    assert.equal(warming.calls.length, 4);
  });

  it('rejects with InterruptedError when cancelled, aborting what is in flight', async () => {
    const clock = new FakeClock();
    const hanging = scripted('hanging', ['hang'], clock);
    const cancel = new AbortController();
    const run = runHealthChecks([{ probe: hanging.probe, judgement: judgement({ timeoutMs: 600_000 }) }], {
      clock,
      signal: cancel.signal,
    });
    await new Promise((resolve) => setImmediate(resolve));
    cancel.abort();
    await assert.rejects(run, InterruptedError);
    assert.equal(hanging.calls[0]!.aborted, true);
  });

  it('reports every measurement as it happens', async () => {
    const clock = new FakeClock();
    const a = scripted('a', ['ok', 'ok', 'ok'], clock);
    const seen: string[] = [];
    await runHealthChecks([{ probe: a.probe, judgement: judgement() }], {
      clock,
      onMeasurement: (probe, m) => seen.push(`${probe.name}#${m.index}:${m.phase}`),
    });
    assert.deepEqual(seen, ['a#1:successful', 'a#2:successful', 'a#3:successful']);
  });
});
