import { formatDuration } from '../durations.ts';
import { renderTable } from '../markdown.ts';
import type { CanaryReport, MetricValue } from '../model/canary.ts';

/**
 * A canary's evidence in the step summary: each step with its weight, duration, result and the
 * analysis values measured during it; then a Mermaid chart (GitHub draws it) of the canary's
 * weight and the canary's and stable's error ratio over time.
 */
export function renderCanary(report: CanaryReport): string {
  const rows = report.steps.map((span) => [
    String(span.step),
    span.label,
    `${span.weight} %`,
    formatDuration(span.endedAt - span.startedAt),
    `${span.result}${span.detail ? `: ${span.detail}` : ''}`,
    valuesDuring(report, span.startedAt, span.endedAt),
  ]);
  const measured = report.samples.filter((sample) => sample.by === 'background').length;
  const plural = measured === 1 ? 'measurement' : 'measurements';
  return [
    '#### Canary',
    renderTable(['Step', 'What', 'Weight', 'Took', 'Result', 'Measured during it (last of each)'], rows),
    measured > 0 ? `Background analysis: ${measured} ${plural}.` : '',
    chart(report),
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The last measurement of each metric taken during the span, in words. */
function valuesDuring(report: CanaryReport, from: number, to: number): string {
  const last = new Map<string, string>();
  for (const sample of report.samples)
    if (sample.at >= from && sample.at <= to) last.set(sample.metric, `${sample.phase}: ${sample.reason}`);
  // One line per metric would need HTML in the cell, which renderTable escapes: `; ` it is.
  return [...last].map(([metric, said]) => `${metric} ${said}`).join('; ') || '—';
}

/**
 * Over time: the canary's weight (each change, and each measurement) with the canary's and
 * stable's error ratio as last measured by a template (0 before the first).
 */
function chart(report: CanaryReport): string {
  const ratios = report.samples.filter(
    (sample) => isRatio(sample.value) && /error|ratio/.test(sample.metric),
  );
  const times = [...new Set([...report.weights.map((w) => w.at), ...ratios.map((sample) => sample.at)])].sort(
    (a, b) => a - b,
  );
  if (times.length < 2) return '';
  const start = times[0]!;
  const weightAt = (at: number) => report.weights.findLast((w) => w.at <= at)?.weight ?? 0;
  const ratioAt = (at: number, side: 'canary' | 'stable') => {
    const value = (ratios.findLast((sample) => sample.at <= at)?.value as MetricValue | undefined)?.[side];
    return value === undefined ? 0 : Math.round(value * 10_000) / 100;
  };
  const line = (value: (at: number) => number) => `[${times.map(value).join(', ')}]`;
  return [
    '```mermaid',
    'xychart-beta',
    '    title "Canary weight and error ratio (%)"',
    `    x-axis "seconds" [${times.map((at) => Math.round((at - start) / 1000)).join(', ')}]`,
    '    y-axis "%" 0 --> 100',
    `    line ${line(weightAt)}`,
    `    line ${line((at) => ratioAt(at, 'canary'))}`,
    `    line ${line((at) => ratioAt(at, 'stable'))}`,
    '```',
    "Lines: the canary's weight, the canary's error ratio, stable's error ratio.",
  ].join('\n');
}

function isRatio(value: unknown): value is MetricValue {
  return typeof value === 'object' && value !== null && 'requests' in value;
}
