import type { ProbeDeclaration } from '../schema/probe-schema.ts';

/** A probe as declared, with the judgement (count, limits) it is measured under. */
export type ProbeSpec = ProbeDeclaration & { readonly judgement: Judgement };

/**
 * What a health check measures and concludes (Argo Rollouts' analysis semantics; the engine in
 * health/ produces it, the verdict in health/verdict.ts judges it; reports and incidents carry it).
 */
export type MeasurementPhase = 'successful' | 'failed' | 'inconclusive' | 'error';
export type Verdict = 'successful' | 'failed' | 'error' | 'inconclusive';

/** The limits that decide a probe's verdict from its measurements, under Argo's names. */
export interface Limits {
  /** Measurements that count (errors do not) before the probe is judged; Infinity: unbounded. */
  readonly count: number;
  /** Failed measurements tolerated; one more fails the probe. -1: failures never fail it. */
  readonly failureLimit: number;
  /** Inconclusive measurements tolerated; one more makes the probe inconclusive. */
  readonly inconclusiveLimit: number;
  /** Errors in a row tolerated; one more makes the probe an error (Argo's default: 4). */
  readonly consecutiveErrorLimit: number;
  /** Ours, off unless set: errors tolerated in all; one more makes the probe an error. */
  readonly errorLimit?: number;
  /** If set, the probe succeeds as soon as this many measurements in a row succeed, and only then. */
  readonly consecutiveSuccesses?: number;
}

/** How one probe is measured and judged. */
export interface Judgement extends Limits {
  /** Time between the starts of two measurements. */
  readonly intervalMs: number;
  readonly initialDelayMs: number;
  /** How long one measurement may take before it counts as an error. */
  readonly timeoutMs: number;
  /**
   * Until the first answer, measurements that could not run (refused, timed out) are a service
   * still starting: not counted, for at most this long (0: off). No answer by then is an error.
   */
  readonly startTimeoutMs: number;
  /** Measured, judged and reported, but its verdict never decides the check. */
  readonly dryRun: boolean;
}

export interface Measurement {
  readonly index: number;
  readonly startedAt: string;
  readonly latencyMs: number;
  readonly phase: MeasurementPhase;
  /** Taken while the service was still starting (no answer yet, within start-timeout): not counted. */
  readonly startUp?: true;
  readonly value?: unknown;
  readonly reason: string;
}

export interface ProbeResult {
  readonly name: string;
  readonly type: string;
  readonly target: string;
  /** `stopped`: the check was decided by another probe before this one was. */
  readonly verdict: Verdict | 'stopped';
  /** A dry run: its verdict is reported, and never decided the check. */
  readonly dryRun?: true;
  readonly reason: string;
  readonly measurements: readonly Measurement[];
}

export interface CheckResult {
  readonly verdict: Verdict;
  /** The probe whose verdict decided an unhealthy check first. */
  readonly decidedBy?: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly probes: readonly ProbeResult[];
}
