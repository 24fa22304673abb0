import { renderCanary } from '../canary/canary-markdown.ts';
import type { CanaryReport } from '../canary/run-canary-steps.ts';
import type { AttemptRecord } from '../deploy/retry.ts';
import type { Verification } from '../deploy/verify.ts';
import { renderHealthSummary } from '../health/report-markdown.ts';
import { escapeCell, renderTable } from '../markdown.ts';
import type { BatchSpan } from '../release/strategy.ts';
import type { DeployOutcome } from './deploy.ts';
import type { PromoteOutcome } from './promotion.ts';
import type { RollbackOutcome } from './rollback.ts';

const ICONS: Readonly<
  Record<DeployOutcome['result'] | RollbackOutcome['result'] | PromoteOutcome['result'], string>
> = {
  deployed: '✅',
  unchanged: '✅',
  'rolled-back': '↩️',
  'dry-run': '📝',
  failed: '❌',
  paused: '⏸️',
  promoted: '✅',
};

/** What a release's summary shows, deploy or rollback alike. */
interface ReleaseEvidence {
  readonly result: keyof typeof ICONS;
  readonly message: string;
  readonly attempts: readonly AttemptRecord[];
  readonly facts: Readonly<Record<string, number | string>>;
  readonly slotCheck?: Verification;
  readonly verification?: Verification;
  readonly batches?: readonly BatchSpan[];
  readonly canary?: CanaryReport;
}

/** The deploy's step summary: what, where, how many attempts and why, and the evidence. */
export function renderDeploySummary(environment: string, driver: string, outcome: DeployOutcome): string {
  const heading = `### ${ICONS[outcome.result]} Deploy ${escapeCell(outcome.version)} to ${escapeCell(environment)}: ${outcome.result}`;
  return renderEvidence(
    heading,
    [
      ['Driver', driver],
      ['Previous version', outcome.previous ?? 'none'],
    ],
    outcome,
  );
}

/** The promotion's step summary: the check on the slot again, the switch, what users reach. */
export function renderPromoteSummary(environment: string, outcome: PromoteOutcome): string {
  const heading = `### ${ICONS[outcome.result]} Promote ${escapeCell(outcome.version || 'nothing')} on ${escapeCell(environment)}: ${outcome.result}`;
  return renderEvidence(heading, [['Previous version', outcome.previous ?? 'none']], outcome);
}

/** The rollback's step summary: as full as a deploy's. */
export function renderRollbackSummary(environment: string, outcome: RollbackOutcome): string {
  const heading = `### ${ICONS[outcome.result]} Rollback of ${escapeCell(environment)}: ${escapeCell(outcome.from || 'nothing')} → ${escapeCell(outcome.to)}: ${outcome.result}`;
  return renderEvidence(heading, [['From (marked bad)', outcome.from || 'none']], outcome);
}

/**
 * The evidence, in the order it was gathered: the attempts, where the version went (slot), its
 * check on the slot before any user reached it, the switch, what serves now, then the check of
 * what users reach. A check that was not run says why, never contradicting the outcome.
 */
function renderEvidence(heading: string, first: readonly string[][], outcome: ReleaseEvidence): string {
  const { slotCheck, verification } = outcome;
  const facts = renderTable(
    ['Detail', 'Value'],
    [
      ...first,
      [
        'Attempts',
        outcome.attempts.map((a) => `#${a.attempt} ${a.ok ? '✓' : '✗'} ${a.reason}`).join('; ') || 'none',
      ],
      ...Object.entries(outcome.facts).map(([key, value]) => [key, String(value)]),
      ...(slotCheck
        ? [['Check on the slot (before traffic)', `${slotCheck.ok ? '✓' : '✗'} ${slotCheck.reason}`]]
        : []),
      [
        'Verification (what users reach)',
        verification ? `${verification.ok ? '✓' : '✗'} ${verification.reason}` : notRun(outcome),
      ],
    ],
  );
  const health = [
    slotCheck?.health ? `#### Check on the slot\n\n${renderHealthSummary(slotCheck.health)}` : '',
    verification?.health ? renderHealthSummary(verification.health) : '',
  ];
  const batches = outcome.batches?.length ? renderBatches(outcome.batches) : '';
  const canary = outcome.canary ? renderCanary(outcome.canary) : '';
  return [heading, escapeCell(outcome.message), facts, batches, canary, ...health]
    .filter(Boolean)
    .join('\n\n');
}

/** Rolling: the batches on a timeline (a Mermaid gantt GitHub draws), reverting ones after. */
function renderBatches(batches: readonly BatchSpan[]): string {
  let forward = 0;
  let back = 0;
  const rows = batches.map((batch, at) => {
    const label = batch.revert ? `Revert ${++back}` : `Batch ${++forward}`;
    // Host names are letters, digits, _ . - (the settings refuse others): nothing here breaks the chart.
    const end = Math.max(batch.endedAt, batch.startedAt + 1);
    return `    ${label} · ${batch.hosts.join(', ')} :${batch.ok ? 'done' : 'crit'}, b${at + 1}, ${batch.startedAt}, ${end}`;
  });
  return [
    '#### Batches',
    '',
    '```mermaid',
    'gantt',
    '    dateFormat x',
    '    axisFormat %M:%S',
    ...rows,
    '```',
  ].join('\n');
}

function notRun(outcome: ReleaseEvidence): string {
  if (outcome.slotCheck && !outcome.slotCheck.ok) return 'not run: rejected on its slot, no user reached it';
  if (outcome.result === 'failed') return 'not run: the release failed before it';
  if (outcome.result === 'dry-run') return 'not run: a dry run';
  if (outcome.result === 'paused') return 'not run yet: no user reaches it until it is promoted';
  return 'nothing to verify';
}
