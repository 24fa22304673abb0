import { renderHealthSummary } from '../health/report-markdown.ts';
import { escapeCell, renderTable } from '../markdown.ts';
import type { DeployOutcome } from './deploy.ts';

const ICONS: Readonly<Record<DeployOutcome['result'], string>> = {
  deployed: '✅',
  unchanged: '✅',
  'dry-run': '📝',
  failed: '❌',
};

/** The deploy's step summary: what, where, how many attempts and why, and the verification. */
export function renderDeploySummary(environment: string, driver: string, outcome: DeployOutcome): string {
  const heading = `### ${ICONS[outcome.result]} Deploy ${escapeCell(outcome.version)} to ${escapeCell(environment)}: ${outcome.result}`;
  const facts = renderTable(
    ['Detail', 'Value'],
    [
      ['Driver', driver],
      ['Previous version', outcome.previous ?? 'none'],
      [
        'Attempts',
        outcome.attempts.map((a) => `#${a.attempt} ${a.ok ? '✓' : '✗'} ${a.reason}`).join('; ') || 'none',
      ],
      ...Object.entries(outcome.facts).map(([key, value]) => [key, String(value)]),
      [
        'Verification',
        outcome.verification
          ? `${outcome.verification.ok ? '✓' : '✗'} ${outcome.verification.reason}`
          : 'not run',
      ],
    ],
  );
  const health = outcome.verification?.health ? renderHealthSummary(outcome.verification.health) : '';
  return [heading, escapeCell(outcome.message), facts, health].filter(Boolean).join('\n\n');
}
