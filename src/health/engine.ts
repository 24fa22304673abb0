import { formatDuration } from '../durations.ts';
import { describeError, InterruptedError } from '../errors.ts';
import type { CheckResult, Measurement } from '../model/health.ts';
import type { Clock } from '../ports.ts';
import { type Probe, ProbeError } from './probe.ts';
import {
  countDecided,
  type Judgement,
  judgeProbe,
  judgeStartUp,
  judgeTally,
  openTally,
  type ProbeJudgement,
  type Verdict,
} from './verdict.ts';

export type { CheckResult, Measurement, ProbeResult } from '../model/health.ts';

export interface JudgedProbe {
  readonly probe: Probe;
  readonly judgement: Judgement;
}

export interface EngineOptions {
  readonly clock: Clock;
  /** Aborted by a cancel: every probe stops and the run rejects with InterruptedError. */
  readonly signal?: AbortSignal;
  /** Each measurement as it is taken, with what a command printed (for the log, never the report). */
  readonly onMeasurement?: (probe: Probe, measurement: Measurement, output?: string) => void;
}

/**
 * Measures every probe in parallel on its own schedule (initial delay, then `count` measurements
 * `interval` apart, each bounded by `timeout`) and stops everything, aborting in-flight
 * measurements, as soon as the check's verdict is decided.
 */
export async function runHealthChecks(
  probes: readonly JudgedProbe[],
  options: EngineOptions,
): Promise<CheckResult> {
  const { clock } = options;
  const startedAt = clock.now();
  const stop = new AbortController();
  const forwardCancel = () => {
    const reason = options.signal?.reason;
    stop.abort(reason instanceof InterruptedError ? reason : new InterruptedError());
  };
  options.signal?.addEventListener('abort', forwardCancel, { once: true });
  if (options.signal?.aborted) forwardCancel();

  // One listener on `stop` for every probe, each stopped through its own signal: thousands of
  // listeners on one signal cost a walk of the list per listener added, and Node warns past ten.
  const running = new Set<AbortController>();
  stop.signal.addEventListener('abort', () => {
    for (const probeStop of running) probeStop.abort(stop.signal.reason);
  });

  const states = probes.map(() => ({ judgement: undecided(), measurements: [] as Measurement[] }));
  let tally = openTally(probes.length);
  let decidedBy: string | undefined;
  const onDecided = (index: number) => {
    tally = countDecided(tally, {
      judgement: states[index]!.judgement,
      dryRun: probes[index]!.judgement.dryRun,
    });
    const check = judgeTally(tally);
    if (!check.decided || stop.signal.aborted) return;
    if (check.verdict !== 'successful') decidedBy = probes[index]!.probe.name;
    stop.abort(new CheckDecided());
  };

  await Promise.all(
    probes.map(async ({ probe, judgement }, index) => {
      const state = states[index]!;
      const schedule = startedAt + judgement.initialDelayMs;
      const probeStop = new AbortController();
      running.add(probeStop);
      let answered = judgement.startTimeoutMs === 0;
      // No bound here: the judgement decides at `count` counted measurements, or earlier.
      for (let n = 0; !stop.signal.aborted; n++) {
        if (!(await sleepUntil(clock, schedule + n * judgement.intervalMs, probeStop.signal))) break;
        const observed = await measureOnce(probe, judgement.timeoutMs, n + 1, clock, probeStop.signal);
        if (!observed) break;
        const { output, ...taken } = observed;
        const startUp = answered
          ? 'count'
          : judgeStartUp(taken.phase, clock.now() - schedule, judgement.startTimeoutMs);
        answered = startUp === 'count';
        const measurement: Measurement = answered ? taken : { ...taken, startUp: true };
        state.measurements.push(measurement);
        options.onMeasurement?.(probe, measurement, output);
        if (startUp === 'wait') continue;
        state.judgement =
          typeof startUp === 'object'
            ? startUp
            : judgeProbe(
                state.measurements.filter((m) => !m.startUp).map((m) => m.phase),
                judgement,
              );
        if (!state.judgement.decided) continue;
        onDecided(index);
        break;
      }
      running.delete(probeStop);
    }),
  );
  options.signal?.removeEventListener('abort', forwardCancel);
  if (stop.signal.reason instanceof InterruptedError) throw stop.signal.reason;

  const verdict = judgeTally(tally).verdict as Verdict;
  return {
    verdict,
    ...(decidedBy ? { decidedBy } : {}),
    startedAt: new Date(startedAt).toISOString(),
    durationMs: clock.now() - startedAt,
    probes: probes.map(({ probe, judgement: { dryRun } }, index) => {
      const { judgement, measurements } = states[index]!;
      const stopped = !judgement.decided;
      return {
        name: probe.name,
        type: probe.type,
        target: probe.target,
        ...(dryRun ? { dryRun } : {}),
        verdict: stopped ? 'stopped' : (judgement.verdict as Verdict),
        reason: stopped
          ? `not decided when the check was (${judgement.reason})`
          : explain(judgement, measurements),
        measurements,
      };
    }),
  };
}

class CheckDecided extends Error {}

/** Why a measurement's timeout timer is cleared: a constant, since an abort without a reason builds a DOMException with a stack. */
const SETTLED = new Error('measurement settled');

/** An unhealthy verdict leads with what the last offending measurement saw: that is what people act on. */
function explain(judgement: ProbeJudgement, measurements: readonly Measurement[]): string {
  const { verdict } = judgement;
  const culprit = verdict !== 'successful' && measurements.findLast((m) => m.phase === verdict);
  return culprit ? `${culprit.reason} (${judgement.reason})` : judgement.reason;
}

function undecided(): ProbeJudgement {
  return { verdict: 'running', decided: false, reason: 'no measurement yet' };
}

/** False when the check was stopped while waiting. */
async function sleepUntil(clock: Clock, due: number, signal: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(Math.max(0, due - clock.now()), signal);
    return !signal.aborted;
  } catch {
    return false;
  }
}

/**
 * One measurement, bounded by `timeoutMs`. Undefined when the check was stopped meanwhile:
 * a measurement cut short by the check's own decision says nothing and is not recorded.
 */
async function measureOnce(
  probe: Probe,
  timeoutMs: number,
  index: number,
  clock: Clock,
  stop: AbortSignal,
): Promise<(Measurement & { readonly output?: string }) | undefined> {
  const began = clock.now();
  const attempt = new AbortController();
  const abortAttempt = () => attempt.abort(stop.reason);
  stop.addEventListener('abort', abortAttempt, { once: true });
  const timer = new AbortController();
  const timedOut = clock.sleep(timeoutMs, AbortSignal.any([timer.signal, attempt.signal])).then(
    () => 'timeout' as const,
    () => 'aborted' as const,
  );
  const base = { index, startedAt: new Date(began).toISOString() };
  const measuring = probe.measure(attempt.signal);
  // Whatever happens, return only once the probe has let go (its request closed, its process
  // tree gone), so that a stopped check leaves nothing running behind it.
  const settled = measuring.then(
    () => undefined,
    () => undefined,
  );
  try {
    const outcome = await Promise.race([measuring, timedOut]);
    if (stop.aborted) return undefined;
    if (outcome === 'timeout') {
      attempt.abort(new Error('timeout'));
      return {
        ...base,
        latencyMs: clock.now() - began,
        phase: 'error',
        reason: `timed out after ${formatDuration(timeoutMs)}`,
      };
    }
    if (outcome === 'aborted') return undefined;
    const latencyMs = outcome.latencyMs ?? clock.now() - began;
    const { phase, value, reason, output } = outcome;
    return { ...base, latencyMs, phase, value, reason, ...(output ? { output } : {}) };
  } catch (error) {
    if (stop.aborted) return undefined;
    const output = error instanceof ProbeError ? { output: error.output } : {};
    return {
      ...base,
      latencyMs: clock.now() - began,
      phase: 'error',
      reason: describeError(error),
      ...output,
    };
  } finally {
    timer.abort(SETTLED);
    stop.removeEventListener('abort', abortAttempt);
    await settled;
  }
}
