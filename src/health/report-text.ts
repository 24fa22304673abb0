import { formatDuration } from '../durations.ts';
import type { CheckResult } from './engine.ts';
import { count, PHASES, VERDICT_ICONS, verdictLabel } from './report-markdown.ts';

/** The verdict for a terminal: a heading and one aligned line per probe, no Markdown or HTML. */
export function renderHealthText(result: CheckResult): string {
  const rows = result.probes.map((probe) => {
    const tally = PHASES.map((phase) => count(probe, phase));
    return [
      `${VERDICT_ICONS[probe.verdict]} ${probe.name}`,
      probe.type,
      verdictLabel(probe),
      `${tally.join('/')}`,
      probe.reason,
    ];
  });
  const header = ['probe', 'type', 'verdict', '✓/✗/?/⚠', 'reason'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => [...row[column]!].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column]! + (cell.length - [...cell].length)),
      )
      .join('  ');
  const decided = result.decidedBy ? `, decided by ${result.decidedBy}` : '';
  return [
    `${VERDICT_ICONS[result.verdict]} health check ${result.verdict} in ${formatDuration(result.durationMs)}${decided}`,
    line(header),
    ...rows.map(line),
  ].join('\n');
}
