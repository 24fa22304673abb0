import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InterruptedError } from '../../src/errors.ts';
import { type JudgedProbe, runHealthChecks } from '../../src/health/engine.ts';
import type { Probe, ProbeOutcome } from '../../src/health/probe.ts';
import type { Judgement } from '../../src/health/verdict.ts';
import { FakeClock } from '../fixtures/fake-clock.ts';

type Step = 'ok' | 'fail' | 'throw' | 'hang';

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
      return Promise.resolve({ phase: step === 'ok' ? 'successful' : 'failed', value: step, reason: step });
    },
  };
  return { probe, calls };
}

const judgement = (overrides: Partial<Judgement> = {}): Judgement => ({
  intervalMs: 10_000,
  count: 3,
  initialDelayMs: 0,
  failureLimit: 0,
  errorLimit: 0,
  timeoutMs: 5000,
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
      [{ probe: hanging.probe, judgement: judgement({ timeoutMs: 2000 }) }],
      { clock },
    );
    assert.equal(result.verdict, 'error');
    const [measurement] = result.probes[0]!.measurements;
    assert.equal(measurement!.phase, 'error');
    assert.equal(measurement!.reason, 'timed out after 2.0 s');
    assert.equal(measurement!.latencyMs, 2000);
    assert.equal(hanging.calls[0]!.aborted, true);
  });

  it('records why a probe could not run', async () => {
    const clock = new FakeClock();
    const refused = scripted('db', ['throw', 'ok', 'ok'], clock);
    const result = await runHealthChecks(
      [{ probe: refused.probe, judgement: judgement({ errorLimit: 1 }) }],
      { clock },
    );
    assert.equal(result.verdict, 'successful');
    assert.deepEqual(
      result.probes[0]!.measurements.map((m) => [m.phase, m.reason]),
      [
        ['error', 'connection refused (127.0.0.1:1)'],
        ['successful', 'ok'],
        ['successful', 'ok'],
      ],
    );
  });

  it('stops as soon as success is certain (tolerant limits)', async () => {
    const clock = new FakeClock();
    const a = scripted('a', ['ok'], clock);
    const result = await runHealthChecks(
      [{ probe: a.probe, judgement: judgement({ count: 5, failureLimit: 4, errorLimit: 4 }) }],
      { clock },
    );
    assert.equal(result.verdict, 'successful');
    assert.equal(a.calls.length, 1);
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
