/**
 * The health judgement, after Argo Rollouts' analysis: pure functions of the measurements.
 *
 * A measurement is successful (the probe ran and the expectation held), failed (it ran and the
 * expectation did not hold) or an error (it could not run: timeout, refused, DNS, TLS).
 * A probe fails when failed measurements exceed `failureLimit`, errs when errors exceed
 * `errorLimit`, and is decided as soon as no further measurement can change the outcome.
 */

export type MeasurementPhase = 'successful' | 'failed' | 'error';
export type Verdict = 'successful' | 'failed' | 'error' | 'inconclusive';

export interface Judgement {
  /** Time between the starts of two measurements. */
  readonly intervalMs: number;
  /** How many measurements at most. */
  readonly count: number;
  readonly initialDelayMs: number;
  /** Failed measurements tolerated; one more fails the probe. Less than count. */
  readonly failureLimit: number;
  /** Errors tolerated; one more makes the probe an error. Less than count. */
  readonly errorLimit: number;
  /** If set, the probe succeeds as soon as this many measurements in a row succeed, and only then. */
  readonly consecutiveSuccesses?: number;
  /** How long one measurement may take before it counts as an error. */
  readonly timeoutMs: number;
}

export interface ProbeJudgement {
  readonly verdict: Verdict | 'running';
  /** True when no further measurement can change the verdict. */
  readonly decided: boolean;
  readonly reason: string;
}

type Limits = Pick<Judgement, 'count' | 'failureLimit' | 'errorLimit' | 'consecutiveSuccesses'>;

/** Judges one probe from its measurements so far (in time order). */
export function judgeProbe(phases: readonly MeasurementPhase[], limits: Limits): ProbeJudgement {
  const failed = phases.filter((phase) => phase === 'failed').length;
  const errors = phases.filter((phase) => phase === 'error').length;
  const successes = phases.length - failed - errors;
  const remaining = Math.max(0, limits.count - phases.length);
  const tally = `${successes} successful, ${failed} failed, ${errors} errors of ${phases.length} measured`;

  if (failed > limits.failureLimit) {
    return decided(
      'failed',
      `failed measurements (${failed}) exceed the failure limit (${limits.failureLimit}); ${tally}`,
    );
  }
  if (errors > limits.errorLimit) {
    return decided('error', `errors (${errors}) exceed the error limit (${limits.errorLimit}); ${tally}`);
  }
  const needed = limits.consecutiveSuccesses;
  if (needed !== undefined) {
    const streak = trailingSuccesses(phases);
    if (streak >= needed) return decided('successful', `${streak} consecutive successes (${tally})`);
    if (streak + remaining < needed) {
      return decided('inconclusive', `${needed} consecutive successes can no longer be reached (${tally})`);
    }
    return running(tally);
  }
  const cannotFail = failed + remaining <= limits.failureLimit && errors + remaining <= limits.errorLimit;
  if (cannotFail && successes > 0) return decided('successful', `within limits (${tally})`);
  if (remaining === 0) return decided('inconclusive', `no successful measurement (${tally})`);
  return running(tally);
}

const SEVERITY: Readonly<Record<Verdict, number>> = { successful: 0, inconclusive: 1, error: 2, failed: 3 };

/**
 * Judges the whole check from its probes: decided as soon as any probe is decided unhealthy
 * (fail fast) or every probe is decided successful. The verdict is the worst decided one.
 */
export function judgeCheck(probes: readonly ProbeJudgement[]): {
  verdict: Verdict | 'running';
  decided: boolean;
} {
  const settled = probes.filter((probe) => probe.decided).map((probe) => probe.verdict as Verdict);
  const worst = settled.reduce<Verdict>((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), 'successful');
  if (worst !== 'successful') return { verdict: worst, decided: true };
  if (settled.length === probes.length) return { verdict: 'successful', decided: true };
  return { verdict: 'running', decided: false };
}

function trailingSuccesses(phases: readonly MeasurementPhase[]): number {
  let streak = 0;
  for (let i = phases.length - 1; i >= 0 && phases[i] === 'successful'; i--) streak++;
  return streak;
}

function decided(verdict: Verdict, reason: string): ProbeJudgement {
  return { verdict, decided: true, reason };
}

function running(tally: string): ProbeJudgement {
  return { verdict: 'running', decided: false, reason: tally };
}
