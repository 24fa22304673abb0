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
  /** Failed measurements tolerated; one more fails the probe. Less than count; -1: failures never fail it. */
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

/**
 * Judges one probe from its measurements so far (in time order): the first moment at which no
 * further measurement could change the verdict, or running. Walking the measurements in order
 * makes a decision final: a verdict reached after k measurements is the verdict after any more.
 */
export function judgeProbe(phases: readonly MeasurementPhase[], limits: Limits): ProbeJudgement {
  const tally = { successful: 0, failed: 0, error: 0, streak: 0 };
  for (const [index, phase] of phases.entries()) {
    tally[phase]++;
    tally.streak = phase === 'successful' ? tally.streak + 1 : 0;
    const judged = judgeAt(tally, index + 1, limits);
    if (judged) return judged;
  }
  return running(describeTally(tally, phases.length));
}

interface Tally {
  readonly successful: number;
  readonly failed: number;
  readonly error: number;
  /** Successes in a row, up to now. */
  readonly streak: number;
}

/** The decision after `measured` measurements, if no further one can change it. */
function judgeAt(tally: Tally, measured: number, limits: Limits): ProbeJudgement | undefined {
  const remaining = Math.max(0, limits.count - measured);
  const said = describeTally(tally, measured);
  // failure-limit -1 (Argo's): failures never fail the probe; the success streak decides.
  const failuresCount = limits.failureLimit >= 0;
  if (failuresCount && tally.failed > limits.failureLimit)
    return decided(
      'failed',
      `failed measurements (${tally.failed}) exceed the failure limit (${limits.failureLimit}); ${said}`,
    );
  if (tally.error > limits.errorLimit)
    return decided('error', `errors (${tally.error}) exceed the error limit (${limits.errorLimit}); ${said}`);
  // Could the measurements still to come fail the probe, or make it an error?
  const canStillFail =
    (failuresCount && tally.failed + remaining > limits.failureLimit) ||
    tally.error + remaining > limits.errorLimit;
  const needed = limits.consecutiveSuccesses;
  if (needed !== undefined) {
    if (tally.streak >= needed)
      return decided('successful', `${tally.streak} consecutive successes (${said})`);
    // The streak is out of reach: inconclusive, but only once failing is out of reach too.
    if (tally.streak + remaining < needed && !canStillFail)
      return decided('inconclusive', `${needed} consecutive successes can no longer be reached (${said})`);
    return undefined;
  }
  if (!canStillFail && tally.successful > 0) return decided('successful', `within limits (${said})`);
  if (remaining === 0) return decided('inconclusive', `no successful measurement (${said})`);
  return undefined;
}

function describeTally(tally: Tally, measured: number): string {
  return `${tally.successful} successful, ${tally.failed} failed, ${tally.error} errors of ${measured} measured`;
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

function decided(verdict: Verdict, reason: string): ProbeJudgement {
  return { verdict, decided: true, reason };
}

function running(tally: string): ProbeJudgement {
  return { verdict: 'running', decided: false, reason: tally };
}
