export type { MetricValue } from '../model/canary.ts';

import type { ProbeOutcome } from '../health/probe.ts';
import type { MetricValue, TemplateBound, TemplateKind } from '../model/canary.ts';

/** What one measurement of a template saw in its window, for the canary and for stable. */
export interface MetricReading {
  /** The canary's value (an error ratio, or seconds); undefined: no data. */
  readonly canary?: number;
  readonly stable?: number;
  /** Requests each side served in the window. */
  readonly canaryRequests: number;
  readonly stableRequests: number;
}

/**
 * One measurement of a template, judged (pure; the table in judge-metric.test.ts). Too few
 * canary requests, no data, or a comparison with a stable side that has too few requests or no
 * data is inconclusive: never success.
 */
export function judgeMetric(
  template: TemplateKind,
  bound: TemplateBound,
  reading: MetricReading,
  minRequests: number,
): ProbeOutcome & { readonly value: MetricValue } {
  const value: MetricValue = {
    ...(finite(reading.canary) ? { canary: reading.canary } : {}),
    ...(finite(reading.stable) ? { stable: reading.stable } : {}),
    requests: reading.canaryRequests,
  };
  const show = template.endsWith('latency') ? showSeconds : showRatio;
  const inconclusive = (reason: string) => ({ phase: 'inconclusive' as const, value, reason });
  if (reading.canaryRequests < Math.max(minRequests, 1))
    return inconclusive(
      `${round(reading.canaryRequests)} canary requests in the window, fewer than min-requests (${minRequests}): too few to judge`,
    );
  if (!finite(reading.canary)) return inconclusive('no data for the canary in the window');
  const compared = bound.kind !== 'max';
  if (compared && reading.stableRequests < Math.max(minRequests, 1))
    return inconclusive(
      `${round(reading.stableRequests)} stable requests in the window, fewer than min-requests (${minRequests}): nothing to compare with`,
    );
  if (compared && !finite(reading.stable))
    return inconclusive('no data for stable in the window: nothing to compare with');
  const limit =
    bound.kind === 'max'
      ? bound.value
      : bound.kind === 'max-over-stable'
        ? reading.stable! + bound.value
        : reading.stable! * bound.value;
  const said =
    bound.kind === 'max'
      ? `max ${show(bound.value)}`
      : bound.kind === 'max-over-stable'
        ? `stable ${show(reading.stable!)} + ${show(bound.value)}`
        : `stable ${show(reading.stable!)} × ${bound.value}`;
  const holds = reading.canary! <= limit;
  return {
    phase: holds ? 'successful' : 'failed',
    value,
    reason: `canary ${show(reading.canary!)} ${holds ? '≤' : '>'} ${said} (${round(reading.canaryRequests)} requests)`,
  };
}

function finite(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value);
}

const round = (value: number) => Math.round(value);
const showRatio = (value: number) => `${(value * 100).toFixed(2).replace(/\.?0+$/, '')} %`;
const showSeconds = (value: number) => `${Math.round(value * 1000)} ms`;
