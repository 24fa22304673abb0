import { formatDuration } from '../durations.ts';
import type { Verdict } from '../model/health.ts';

/** What ends a canary early: an analysis that decided anything but successful. */
export interface AnalysisEnd {
  /** `background`, or the step's label (`step 3 (analysis)`). */
  readonly by: string;
  readonly verdict: Verdict;
  /** The metric that decided, and why. */
  readonly metric?: string;
  readonly reason: string;
}

export type CanaryMove =
  | { readonly kind: 'go-on' }
  | {
      readonly kind: 'abort';
      /** The canary was measured failing: its version is marked bad. */
      readonly markBad: boolean;
      readonly reason: string;
    };

/**
 * After an analysis decided (pure; the table in canary-decision.test.ts): successful goes on;
 * failed aborts and marks the version bad; inconclusive (no data, too few requests) and error
 * (Prometheus unreachable) abort too, fail closed, without blaming the version: it was not
 * proven bad, only not proven good, and a canary is never promoted on that.
 */
export function afterAnalysis(end: AnalysisEnd): CanaryMove {
  if (end.verdict === 'successful') return { kind: 'go-on' };
  const what = end.metric ? `${end.metric}: ${end.reason}` : end.reason;
  const why: Record<Exclude<Verdict, 'successful'>, string> = {
    failed: 'failed',
    inconclusive: 'was inconclusive (never promoted on that)',
    error: 'could not measure (failing closed)',
  };
  return {
    kind: 'abort',
    markBad: end.verdict === 'failed',
    reason: `the ${end.by} analysis ${why[end.verdict]}: ${what}`,
  };
}

/**
 * Whether the proxy's read-back shows the split asked for: the canary's share within a point
 * of `percent` (a proxy rounds weights), the rest on stable.
 */
export function splitHolds(
  shares: Readonly<Record<string, number>>,
  canary: string,
  stable: string,
  percent: number,
): boolean {
  const near = (actual: number | undefined, wanted: number) => Math.abs((actual ?? 0) - wanted) <= 1;
  return near(shares[canary], percent) && near(shares[stable], 100 - percent);
}

/**
 * A canary paused at a `pause: {}` longer than canary-timeout is aborted, never promoted: why,
 * or undefined while it may still be promoted.
 */
export function pauseExpired(pausedAt: number, now: number, timeoutMs: number): string | undefined {
  const waited = now - pausedAt;
  return waited > timeoutMs
    ? `it waited for promotion ${formatDuration(waited)}, longer than canary-timeout (${formatDuration(timeoutMs)})`
    : undefined;
}
