import {
  type CandidateVerdict,
  decideRunner,
  type GateDecision,
  judgeCandidate,
  judgeReading,
} from '../gate/decide-runner.ts';
import { queryCheck, scrapeChecks } from '../gate/read-metrics.ts';
import { escapeCell, renderTable } from '../markdown.ts';
import type { RunnerGateSettings } from '../model/gate.ts';
import type { Logger } from '../ports.ts';

/**
 * Reads every check of every candidate in parallel (Prometheus or each exporter's /metrics),
 * then decides — a pure function of what was read. Fails closed: no runner when none is
 * proven healthy, unless the user allowed picking one whose metrics were unreadable.
 */
export async function runRunnerGate(
  settings: RunnerGateSettings,
  deps: { logger: Logger; signal?: AbortSignal },
): Promise<GateDecision> {
  const verdicts: CandidateVerdict[] = await Promise.all(
    settings.candidates.map(async (candidate) => {
      const readings = candidate.metricsUrl
        ? await scrapeChecks(settings, candidate, deps.signal)
        : await Promise.all(
            settings.checks.map((check) => queryCheck(settings, candidate, check, deps.signal)),
          );
      return judgeCandidate(
        candidate,
        settings.checks.map((check, index) => judgeReading(check, readings[index]!)),
      );
    }),
  );
  for (const verdict of verdicts) deps.logger.info(`${verdict.name}: ${verdict.state} (${verdict.reason})`);
  const decision = decideRunner(verdicts, settings.onMetricsError);
  if (decision.allowedBlind) deps.logger.warning(decision.reason);
  return decision;
}

const STATE_ICONS = { healthy: '✅', unhealthy: '❌', unreadable: '⚠️' } as const;
const FACT_ICONS = { ok: '✅', bad: '❌', unknown: '❔', error: '⚠️' } as const;

/** The decision and every value read, for the step summary. */
export function renderGateSummary(decision: GateDecision): string {
  const heading = decision.runner
    ? `### ${decision.allowedBlind ? '⚠️' : '✅'} Runner gate: ${escapeCell(decision.runner)}`
    : '### ❌ Runner gate: no healthy runner';
  const rows = decision.candidates.flatMap((candidate) =>
    candidate.facts.map((fact) => [
      `${STATE_ICONS[candidate.state]} ${candidate.name}`,
      fact.check,
      fact.reading.kind === 'values'
        ? fact.reading.values.join(', ')
        : fact.reading.kind === 'no-series'
          ? 'no series'
          : fact.reading.reason,
      fact.expect,
      `${FACT_ICONS[fact.state]} ${fact.state}`,
    ]),
  );
  return [
    heading,
    escapeCell(decision.reason),
    renderTable(['Candidate', 'Check', 'Value', 'Expected', 'Result'], rows),
  ].join('\n\n');
}
