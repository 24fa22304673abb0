import { formatDuration } from '../durations.ts';
import { escapeCell, renderDetails, renderTable } from '../markdown.ts';
import type { CheckResult, Measurement, ProbeResult } from './engine.ts';

export const VERDICT_ICONS: Readonly<Record<ProbeResult['verdict'], string>> = {
  successful: '✅',
  failed: '❌',
  error: '⚠️',
  inconclusive: '❔',
  stopped: '⏹️',
};

const PHASE_ICONS: Readonly<Record<Measurement['phase'], string>> = {
  successful: '✓',
  failed: '✗',
  error: '⚠',
};

/** The step summary: one overview table, then a table of measurements per probe. */
export function renderHealthSummary(result: CheckResult): string {
  const icon = VERDICT_ICONS[result.verdict];
  const decided = result.decidedBy ? `, decided by ${escapeCell(result.decidedBy)}` : '';
  const heading = `### ${icon} Health check ${result.verdict} (${result.probes.length} probes, ${formatDuration(result.durationMs)}${decided})`;
  const overview = renderTable(
    ['Probe', 'Type', 'Target', 'Verdict', '✓', '✗', '⚠', 'Reason'],
    result.probes.map((probe) => [
      probe.name,
      probe.type,
      probe.target,
      `${VERDICT_ICONS[probe.verdict]} ${probe.verdict}`,
      String(count(probe, 'successful')),
      String(count(probe, 'failed')),
      String(count(probe, 'error')),
      probe.reason,
    ]),
  );
  const details = result.probes.map((probe) =>
    renderDetails(
      `${VERDICT_ICONS[probe.verdict]} ${probe.name}: ${probe.measurements.length} measurements`,
      measurementTable(probe),
    ),
  );
  return [heading, overview, ...details].join('\n\n');
}

/** One row per measurement: number, time, latency, result, value, reason. */
export function measurementTable(probe: ProbeResult): string {
  return renderTable(
    ['#', 'Time', 'Latency', 'Result', 'Value', 'Reason'],
    probe.measurements.map((m) => [
      String(m.index),
      m.startedAt,
      formatDuration(m.latencyMs),
      `${PHASE_ICONS[m.phase]} ${m.phase}`,
      m.value === undefined ? '' : JSON.stringify(m.value),
      m.reason,
    ]),
  );
}

/** A measurement as one log line: `[api] #2 ✗ failed in 12 ms: status 503, expected 2xx`. */
export function describeMeasurement(probeName: string, m: Measurement): string {
  const line = `[${probeName}] #${m.index} ${PHASE_ICONS[m.phase]} ${m.phase} in ${formatDuration(m.latencyMs)}: ${m.reason}`;
  return line.replace(/[\r\n]+/g, ' ');
}

function count(probe: ProbeResult, phase: Measurement['phase']): number {
  return probe.measurements.filter((m) => m.phase === phase).length;
}
