import { formatDuration } from '../durations.ts';
import { InterruptedError } from '../errors.ts';
import { createProbe } from '../health/create-probe.ts';
import { type CheckResult, runHealthChecks } from '../health/engine.ts';
import { logMeasurements } from '../health/log-measurements.ts';
import { measurementTable, renderHealthSummary, verdictLabel } from '../health/report-markdown.ts';
import { renderHealthText } from '../health/report-text.ts';
import type { Verdict } from '../health/verdict.ts';
import type { Clock, CommandRunner, Logger, WriteTextFile } from '../ports.ts';
import type { Redactor } from '../redactor.ts';
import type { HealthCheckSettings } from '../settings/health-check.ts';

export interface HealthCheckDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly runner: CommandRunner;
  readonly redactor: Redactor;
  readonly writeFile: WriteTextFile;
  readonly signal?: AbortSignal;
}

export interface HealthCheckOutcome {
  readonly verdict: Verdict;
  /** The report, secrets redacted: what the `report` output and report-file carry. */
  readonly report: CheckResult;
  /** Step-summary Markdown, secrets redacted. */
  readonly summary: string;
  /** The same for a terminal (the CLI), secrets redacted. */
  readonly text: string;
  /** One sentence for people: why the check passed or failed (secrets redacted). */
  readonly message: string;
  /** A title for the failure annotation, naming the probe that decided it. */
  readonly title: string;
}

/**
 * Runs the declared probes and judges them. Logs one line per measurement as it happens and
 * one group per probe at the end; annotates the probe that decided a failure. Throws
 * InterruptedError when cancelled.
 */
export async function runHealthCheck(
  settings: HealthCheckSettings,
  deps: HealthCheckDeps,
): Promise<HealthCheckOutcome> {
  const { logger, redactor } = deps;
  const probes = settings.probes.map((spec) => ({
    probe: createProbe(spec, deps.runner, redactor),
    judgement: spec.judgement,
  }));
  logger.info(
    `Health check: ${probes.length} probe(s) in parallel: ${settings.probes.map((p) => p.name).join(', ')}`,
  );
  const result = await runHealthChecks(probes, {
    clock: deps.clock,
    ...(deps.signal ? { signal: deps.signal } : {}),
    onMeasurement: logMeasurements(logger, redactor),
  }).catch((error: unknown) => {
    if (!(error instanceof InterruptedError)) throw error;
    throw new InterruptedError(
      `${error.message}: the health check stopped; its requests and commands were aborted and nothing is left running`,
    );
  });
  const report = redactor.redactValue(result);
  for (const probe of report.probes) {
    logger.group(`${probe.name}: ${verdictLabel(probe)} (${probe.type} ${probe.target})`, () => {
      logger.untrusted(`${measurementTable(probe)}\n${probe.reason}`);
    });
  }
  const message = describeOutcome(report);
  if (report.verdict === 'successful') logger.info(message);
  if (settings.reportFile) deps.writeFile(settings.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  return {
    verdict: report.verdict,
    report,
    summary: redactor.redact(renderHealthSummary(report)),
    text: redactor.redact(renderHealthText(report)),
    message: redactor.redact(message),
    title: `health-check: ${report.decidedBy ?? 'probes'} ${report.verdict}`,
  };
}

function describeOutcome(report: CheckResult): string {
  const took = formatDuration(report.durationMs);
  if (report.verdict === 'successful') {
    const dryRuns = report.probes.filter((probe) => probe.dryRun);
    const counted = `all ${report.probes.length - dryRuns.length} probe(s) healthy in ${took}`;
    if (dryRuns.length === 0) return `Health check successful: ${counted}.`;
    const tried = dryRuns.map((probe) => `${probe.name} ${probe.verdict}`).join(', ');
    return `Health check successful: ${counted}; dry runs, which decide nothing: ${tried}.`;
  }
  const culprit = report.probes.find((probe) => probe.name === report.decidedBy);
  const why = culprit
    ? `probe "${culprit.name}" (${culprit.type} ${culprit.target}) ${culprit.verdict}: ${culprit.reason}`
    : '';
  return `Health check ${report.verdict} after ${took}: ${why}`;
}
