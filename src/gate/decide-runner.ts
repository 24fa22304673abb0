import type { Candidate, GateCheck } from '../model/gate.ts';
import { satisfies } from '../schema/threshold.ts';

/** What one check read for one candidate: values, or that there were none, or that nothing could be read. */
export type Reading =
  | { readonly kind: 'values'; readonly values: readonly number[] }
  | { readonly kind: 'no-series' }
  | { readonly kind: 'error'; readonly reason: string };

export interface CheckFact {
  readonly check: string;
  readonly query: string;
  readonly expect: string;
  readonly reading: Reading;
  /** ok: every value meets the threshold; bad: one does not; unknown: no series or NaN; error: unreadable. */
  readonly state: 'ok' | 'bad' | 'unknown' | 'error';
}

export interface CandidateVerdict {
  readonly name: string;
  readonly labels: readonly string[];
  readonly state: 'healthy' | 'unhealthy' | 'unreadable';
  readonly facts: readonly CheckFact[];
  readonly reason: string;
}

export interface GateDecision {
  readonly runner?: string;
  readonly labels?: readonly string[];
  readonly candidates: readonly CandidateVerdict[];
  readonly reason: string;
  /** True when a candidate was chosen without readable metrics, because on-metrics-error is allow. */
  readonly allowedBlind: boolean;
}

/** Pure: what a reading means against a check's threshold. NaN and no series are unknown, never healthy. */
export function judgeReading(check: GateCheck, reading: Reading): CheckFact {
  const base = { check: check.name, query: check.query, expect: check.expect.description, reading };
  if (reading.kind === 'error') return { ...base, state: 'error' };
  if (reading.kind === 'no-series' || reading.values.some((value) => Number.isNaN(value)))
    return { ...base, state: 'unknown' };
  return { ...base, state: reading.values.every((value) => satisfies(check.expect, value)) ? 'ok' : 'bad' };
}

/** Pure: a candidate is healthy when every check is ok; unreadable when any check could not be read. */
export function judgeCandidate(candidate: Candidate, facts: readonly CheckFact[]): CandidateVerdict {
  const base = { name: candidate.name, labels: candidate.labels, facts };
  const describe = (fact: CheckFact) => {
    if (fact.reading.kind === 'error') return `${fact.check}: ${fact.reading.reason}`;
    if (fact.state === 'unknown')
      return `${fact.check}: ${fact.reading.kind === 'no-series' ? 'no series' : 'NaN'} (unknown)`;
    return `${fact.check} ${fact.reading.kind === 'values' ? fact.reading.values.join(', ') : ''} is not ${fact.expect}`;
  };
  const unreadable = facts.filter((fact) => fact.state === 'error');
  if (unreadable.length > 0)
    return { ...base, state: 'unreadable', reason: unreadable.map(describe).join('; ') };
  const failing = facts.filter((fact) => fact.state !== 'ok');
  if (failing.length > 0) return { ...base, state: 'unhealthy', reason: failing.map(describe).join('; ') };
  return { ...base, state: 'healthy', reason: 'every check passed' };
}

/**
 * Pure: the first healthy candidate in order. With none healthy the gate fails closed, unless
 * the user chose `allow` and some candidate's metrics could not be read: then the first of
 * those, as the user's explicit choice.
 */
export function decideRunner(
  verdicts: readonly CandidateVerdict[],
  onMetricsError: 'fail' | 'allow',
): GateDecision {
  const healthy = verdicts.find((verdict) => verdict.state === 'healthy');
  const skipped = verdicts.slice(0, healthy ? verdicts.indexOf(healthy) : verdicts.length);
  const why = skipped.map((verdict) => `${verdict.name} ${verdict.state} (${verdict.reason})`).join('; ');
  if (healthy) {
    return {
      runner: healthy.name,
      labels: healthy.labels,
      candidates: verdicts,
      allowedBlind: false,
      reason: `${healthy.name} is healthy${why ? `; skipped ${why}` : ''}`,
    };
  }
  const blind = verdicts.find((verdict) => verdict.state === 'unreadable');
  if (blind && onMetricsError === 'allow') {
    return {
      runner: blind.name,
      labels: blind.labels,
      candidates: verdicts,
      allowedBlind: true,
      reason: `no candidate is proven healthy; ${blind.name} chosen without readable metrics because on-metrics-error is allow (${why})`,
    };
  }
  return { candidates: verdicts, allowedBlind: false, reason: `no healthy runner: ${why}` };
}
