import { formatDuration } from './durations.ts';
import { escapeCell, renderTable } from './markdown.ts';
import type { PipelineOutcome, StageRecord } from './pipeline.ts';

const RESULT_ICONS: Readonly<Record<StageRecord['result'], string>> = {
  passed: '✅',
  warnings: '⚠️',
  failed: '❌',
  unchanged: '➖',
  'dry-run': '📝',
  paused: '⏸️',
};
const OUTCOME_ICONS: Readonly<Record<PipelineOutcome['result'], string>> = {
  deployed: '✅',
  unchanged: '➖',
  'rolled-back': '↩️',
  failed: '❌',
  'dry-run': '📝',
  paused: '⏸️',
};

/**
 * The step summary: a heading, one row per stage, and a Mermaid gantt of the stages (GitHub
 * renders Mermaid in summaries), so a person sees at a glance where the time went and where it
 * failed.
 */
export function renderPipelineSummary(environment: string, outcome: PipelineOutcome): string {
  const heading = `### ${OUTCOME_ICONS[outcome.result]} ${escapeCell(environment)} ${escapeCell(outcome.version)}: ${outcome.result}`;
  const table = renderTable(
    ['Stage', 'Result', 'Started', 'Took', 'Detail'],
    outcome.stages.map((s) => [
      s.name,
      `${RESULT_ICONS[s.result]} ${s.result}`,
      `+${formatDuration(s.startMs)}`,
      formatDuration(s.durationMs),
      s.detail,
    ]),
  );
  return [heading, escapeCell(outcome.message), table, renderGantt(outcome)].join('\n\n');
}

/** A Mermaid gantt of the stages; times in milliseconds from the start (dateFormat x: epoch ms). */
export function renderGantt(outcome: PipelineOutcome): string {
  const tasks = outcome.stages.map((s, i) => {
    const tag = s.result === 'failed' ? 'crit, ' : 'done, ';
    // Start and end as timestamps (Mermaid's durations stop at seconds); at least 1 ms long.
    const start = Math.round(s.startMs);
    return `    ${s.name} (${formatDuration(s.durationMs)}) :${tag}s${i}, ${start}, ${start + Math.max(1, Math.round(s.durationMs))}`;
  });
  return [
    '```mermaid',
    'gantt',
    `    title ${outcome.version.replace(/[:#;]/g, ' ')}: ${outcome.result}`,
    '    dateFormat x',
    '    axisFormat %M:%S',
    '    section stages',
    ...tasks,
    '```',
  ].join('\n');
}

/** The same for a terminal: one line per stage, as a timeline. */
export function renderPipelineText(outcome: PipelineOutcome): string {
  const lines = outcome.stages.map(
    (s) =>
      `  +${formatDuration(s.startMs).padStart(7)}  ${RESULT_ICONS[s.result]} ${s.name.padEnd(12)} ${formatDuration(s.durationMs).padStart(7)}  ${s.detail}`,
  );
  return [`${OUTCOME_ICONS[outcome.result]} ${outcome.message}`, ...lines].join('\n');
}
