/**
 * The health judgement, with Argo Rollouts' analysis semantics: pure functions of the measurements.
 *
 * A measurement is successful (the success condition held), failed (it did not, or the failure
 * condition held), inconclusive (a failure condition is declared and neither held) or an error
 * (it could not run: timeout, refused, DNS, TLS). Errors are retried: they do not count toward
 * `count`, and a probe errs only when they come `consecutiveErrorLimit + 1` in a row.
 * A probe is decided at the first measurement after which nothing can change its verdict.
 */

import { formatDuration } from '../durations.ts';
import type { Limits, MeasurementPhase, Verdict } from '../model/health.ts';

export type { Judgement, Limits, MeasurementPhase, Verdict } from '../model/health.ts';

export interface ProbeJudgement {
  readonly verdict: Verdict | 'running';
  /** True when no further measurement can change the verdict. */
  readonly decided: boolean;
  readonly reason: string;
}

interface Tally {
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  /** Measurements that count toward `count`: every one but errors. */
  counted: number;
  /** Errors in a row, up to now. */
  errorRun: number;
  /** Successes in a row, up to now (any other measurement, an error too, breaks it). */
  streak: number;
}

/**
 * Judges one probe from its measurements so far (in time order): the verdict at the first one
 * that decided it, or running. Every decision is a limit crossed, a streak reached or `count`
 * reached, each final: a verdict reached after k measurements is the verdict after any more.
 */
export function judgeProbe(phases: readonly MeasurementPhase[], limits: Limits): ProbeJudgement {
  const tally: Tally = {
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    counted: 0,
    errorRun: 0,
    streak: 0,
  };
  for (const phase of phases) {
    tally[phase]++;
    if (phase !== 'error') tally.counted++;
    tally.errorRun = phase === 'error' ? tally.errorRun + 1 : 0;
    tally.streak = phase === 'successful' ? tally.streak + 1 : 0;
    const judged = judgeAt(tally, limits);
    if (judged) return judged;
  }
  return { verdict: 'running', decided: false, reason: describeTally(tally) };
}

/** Argo's order: failure, inconclusive and error limits, then the success streak, then `count`. */
function judgeAt(tally: Tally, limits: Limits): ProbeJudgement | undefined {
  const said = describeTally(tally);
  if (limits.failureLimit >= 0 && tally.failed > limits.failureLimit)
    return decided('failed', `failed (${tally.failed}) > failure-limit (${limits.failureLimit}); ${said}`);
  if (tally.inconclusive > limits.inconclusiveLimit)
    return decided(
      'inconclusive',
      `inconclusive (${tally.inconclusive}) > inconclusive-limit (${limits.inconclusiveLimit}); ${said}`,
    );
  if (tally.errorRun > limits.consecutiveErrorLimit)
    return decided(
      'error',
      `errors in a row (${tally.errorRun}) > consecutive-error-limit (${limits.consecutiveErrorLimit}); ${said}`,
    );
  if (limits.errorLimit !== undefined && tally.error > limits.errorLimit)
    return decided('error', `errors (${tally.error}) > error-limit (${limits.errorLimit}); ${said}`);
  const needed = limits.consecutiveSuccesses;
  if (needed !== undefined && tally.streak >= needed)
    return decided('successful', `${tally.streak} consecutive successes; ${said}`);
  if (tally.counted < limits.count) return undefined;
  return judgeAtCount(tally, limits, said);
}

/** `count` measurements taken and no limit crossed. */
function judgeAtCount(tally: Tally, limits: Limits, said: string): ProbeJudgement {
  const needed = limits.consecutiveSuccesses;
  if (needed !== undefined) {
    // Argo: with both limits in play the streak's absence proves nothing either way; judged by
    // the streak alone (failure-limit -1), its absence is the failure.
    return limits.failureLimit >= 0
      ? decided('inconclusive', `${needed} consecutive successes were not reached; ${said}`)
      : decided('failed', `${needed} consecutive successes were not reached; ${said}`);
  }
  // Ours (Argo would say successful): limits that tolerate every measurement prove nothing.
  if (tally.successful === 0) return decided('inconclusive', `no measurement succeeded; ${said}`);
  return decided('successful', `count reached within limits; ${said}`);
}

function describeTally(tally: Tally): string {
  const parts = [`${tally.successful} successful`, `${tally.failed} failed`];
  if (tally.inconclusive > 0) parts.push(`${tally.inconclusive} inconclusive`);
  parts.push(`${tally.error} errors`);
  return `${parts.join(', ')} of ${tally.counted + tally.error} measured`;
}

const SEVERITY: Readonly<Record<Verdict, number>> = { successful: 0, inconclusive: 1, error: 2, failed: 3 };

/**
 * A measurement taken before the probe's first answer (start-timeout set): one that could not
 * run is a service still starting, not counted (`wait`), until `startTimeoutMs` has passed since
 * the probe began; then the probe errs, saying so. An answer (any other phase) ends the wait.
 */
export function judgeStartUp(
  phase: MeasurementPhase,
  elapsedMs: number,
  startTimeoutMs: number,
): 'count' | 'wait' | ProbeJudgement {
  if (phase !== 'error') return 'count';
  if (elapsedMs < startTimeoutMs) return 'wait';
  return decided(
    'error',
    `no answer within start-timeout (${formatDuration(startTimeoutMs)}): raise start-timeout if the service needs longer to start`,
  );
}

/** A probe's judgement as the check sees it: a dry-run probe's verdict is reported, never counted. */
export interface CheckedProbe {
  readonly judgement: ProbeJudgement;
  readonly dryRun: boolean;
}

/**
 * What the check's verdict depends on: how many probes (dry runs too) are still undecided, and
 * the worst verdict of the counted probes decided so far. Kept as probes are decided, so that
 * judging the check after each of thousands of measurements costs nothing per probe.
 */
export interface CheckTally {
  readonly undecided: number;
  readonly worst: Verdict;
}

export const openTally = (probes: number): CheckTally => ({ undecided: probes, worst: 'successful' });

/** The tally once `probe` is decided (called once per probe, when its judgement is decided). */
export function countDecided(tally: CheckTally, probe: CheckedProbe): CheckTally {
  const verdict = probe.judgement.verdict as Verdict;
  const worse = !probe.dryRun && SEVERITY[verdict] > SEVERITY[tally.worst];
  return { undecided: tally.undecided - 1, worst: worse ? verdict : tally.worst };
}

/**
 * Judges the whole check: decided as soon as any counted probe is decided unhealthy (fail fast,
 * as Argo terminates a run) or every probe, dry runs too, is decided. The verdict is the worst
 * decided verdict of the counted probes.
 */
export function judgeTally(tally: CheckTally): { verdict: Verdict | 'running'; decided: boolean } {
  if (tally.worst !== 'successful') return { verdict: tally.worst, decided: true };
  if (tally.undecided === 0) return { verdict: 'successful', decided: true };
  return { verdict: 'running', decided: false };
}

function decided(verdict: Verdict, reason: string): ProbeJudgement {
  return { verdict, decided: true, reason };
}
