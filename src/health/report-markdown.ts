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
  inconclusive: '?',
  error: '⚠',
};

/** A probe's verdict as people read it: a dry run says so, as it decided nothing. */
export function verdictLabel(probe: ProbeResult): string {
  return `${probe.verdict}${probe.dryRun ? ' (dry run)' : ''}`;
}

/** Up to this many probes, every one has a row; beyond, successful ones are counted. */
const ROWS_FOR_ALL = 50;
/** Up to this many probes, every one shows its measurements; beyond, only those not successful. */
const DETAILS_FOR_ALL = 10;

/**
 * The step summary: one overview table, then a table of measurements per probe. A large check
 * shows what needs attention (every probe not successful, with its measurements) and counts the
 * rest, so a summary of 2,000 endpoints stays readable and far under GitHub's 1 MiB.
 */
export function renderHealthSummary(result: CheckResult): string {
  const icon = VERDICT_ICONS[result.verdict];
  const decided = result.decidedBy ? `, decided by ${escapeCell(result.decidedBy)}` : '';
  const heading = `### ${icon} Health check ${result.verdict} (${result.probes.length} probes, ${formatDuration(result.durationMs)}${decided})`;
  const many = result.probes.length;
  const listed =
    many <= ROWS_FOR_ALL ? result.probes : result.probes.filter((p) => p.verdict !== 'successful');
  const detailed =
    many <= DETAILS_FOR_ALL ? result.probes : result.probes.filter((p) => p.verdict !== 'successful');
  const counted = many - listed.length;
  const overview = renderTable(
    ['Probe', 'Type', 'Target', 'Verdict', '✓', '✗', '?', '⚠', 'Reason'],
    listed.map((probe) => [
      probe.name,
      probe.type,
      probe.target,
      `${VERDICT_ICONS[probe.verdict]} ${verdictLabel(probe)}`,
      ...PHASES.map((phase) => String(count(probe, phase))),
      probe.reason,
    ]),
  );
  const rest =
    counted > 0
      ? [`✅ ${counted} more probes successful: their measurements are in the \`report\` output.`]
      : [];
  const details = detailed.map((probe) =>
    renderDetails(
      `${VERDICT_ICONS[probe.verdict]} ${probe.name}: ${probe.measurements.length} measurements`,
      measurementTable(probe),
    ),
  );
  return [heading, ...(listed.length > 0 ? [overview] : []), ...rest, ...details].join('\n\n');
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
  const starting = m.startUp ? ' (still starting: not counted)' : '';
  const line = `[${probeName}] #${m.index} ${PHASE_ICONS[m.phase]} ${m.phase} in ${formatDuration(m.latencyMs)}: ${m.reason}${starting}`;
  return line.replace(/[\r\n]+/g, ' ');
}

/** The phases in the order the tables show their counts. */
export const PHASES = ['successful', 'failed', 'inconclusive', 'error'] as const;

export function count(probe: ProbeResult, phase: Measurement['phase']): number {
  return probe.measurements.filter((m) => m.phase === phase).length;
}
