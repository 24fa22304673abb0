import { formatDuration } from '../durations.ts';
import { escapeCell, renderTable } from '../markdown.ts';
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
  return [
    '#### Canary',
    renderTable(['Step', 'What', 'Weight', 'Took', 'Result', 'Measured during it (last of each)'], rows),
    measured > 0 ? `Background analysis: ${measured} measurements.` : '',
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
  return [...last].map(([metric, said]) => escapeCell(`${metric} ${said}`)).join('<br>') || '—';
}

/** Error-ratio samples (templates record canary and stable values) with the weight at each. */
function chart(report: CanaryReport): string {
  const points = report.samples.filter(
    (sample) => isRatio(sample.value) && (sample.metric.includes('error') || sample.metric.includes('ratio')),
  );
  if (points.length < 2) return '';
  const start = Math.min(points[0]!.at, report.weights[0]?.at ?? points[0]!.at);
  const percent = (value: number | undefined) => (value === undefined ? 0 : Math.round(value * 10_000) / 100);
  const series = (pick: (sample: (typeof points)[number]) => number) => `[${points.map(pick).join(', ')}]`;
  return [
    '```mermaid',
    'xychart-beta',
    '    title "Canary weight and error ratio (%)"',
    `    x-axis "seconds" [${points.map((sample) => Math.round((sample.at - start) / 1000)).join(', ')}]`,
    '    y-axis "%" 0 --> 100',
    `    line ${series((sample) => sample.weight)}`,
    `    line ${series((sample) => percent((sample.value as MetricValue).canary))}`,
    `    line ${series((sample) => percent((sample.value as MetricValue).stable))}`,
    '```',
    'Lines: the canary’s weight, the canary’s error ratio, stable’s error ratio.',
  ].join('\n');
}

function isRatio(value: unknown): value is MetricValue {
  return typeof value === 'object' && value !== null && 'requests' in value;
}
