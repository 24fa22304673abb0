import { renderTable } from '../markdown.ts';
import type { Logger } from '../ports.ts';
import type { CheckOutcome, PreflightDeps } from '../preflight/check-outcome.ts';
import { runCheck } from '../preflight/run-check.ts';
import type { PreflightSettings } from '../settings/preflight.ts';

export interface PreflightFact extends CheckOutcome {
  readonly name: string;
  readonly type: string;
  readonly critical: boolean;
}

export interface PreflightOutcome {
  readonly result: 'passed' | 'warnings' | 'failed';
  readonly facts: readonly PreflightFact[];
  readonly message: string;
}

/** Pure: failed when a critical check failed, warnings when only non-critical ones did. */
export function judgePreflight(facts: readonly PreflightFact[]): PreflightOutcome {
  const critical = facts.filter((fact) => !fact.ok && fact.critical);
  const warnings = facts.filter((fact) => !fact.ok && !fact.critical);
  const list = (items: readonly PreflightFact[]) =>
    items.map((fact) => `${fact.name}: ${fact.detail} — ${fact.fix}`).join('; ');
  if (critical.length > 0) return { result: 'failed', facts, message: `Preflight failed: ${list(critical)}` };
  if (warnings.length > 0)
    return { result: 'warnings', facts, message: `Preflight passed with warnings: ${list(warnings)}` };
  return { result: 'passed', facts, message: `Preflight passed: all ${facts.length} checks.` };
}

/** Runs every check in parallel, each bounded by the timeout, then judges them. */
export async function runPreflight(
  settings: PreflightSettings,
  deps: PreflightDeps & { logger: Logger; signal?: AbortSignal },
): Promise<PreflightOutcome> {
  const facts = await Promise.all(
    settings.checks.map(async (check): Promise<PreflightFact> => {
      const signal = AbortSignal.any([
        AbortSignal.timeout(settings.timeoutMs),
        ...(deps.signal ? [deps.signal] : []),
      ]);
      const outcome = await runCheck(check, deps, signal);
      const icon = outcome.ok ? '✅' : check.critical ? '❌' : '⚠️';
      deps.logger.info(`${icon} ${check.name}: ${outcome.detail}`);
      return { name: check.name, type: check.type, critical: check.critical, ...outcome };
    }),
  );
  const outcome = judgePreflight(facts);
  for (const fact of facts.filter((f) => !f.ok && !f.critical))
    deps.logger.warning(`${fact.detail} — ${fact.fix}`, { title: `preflight: ${fact.name}` });
  return outcome;
}

/** ✅/❌/⚠️ per check, with the fix for each failure. */
export function renderPreflightSummary(outcome: PreflightOutcome): string {
  const icon = { passed: '✅', warnings: '⚠️', failed: '❌' }[outcome.result];
  const rows = outcome.facts.map((fact) => [
    fact.ok ? '✅' : fact.critical ? '❌' : '⚠️',
    fact.name,
    fact.critical ? 'critical' : 'warning',
    fact.detail,
    fact.fix ?? '',
  ]);
  return [
    `### ${icon} Preflight ${outcome.result}`,
    renderTable(['', 'Check', 'Kind', 'Found', 'Fix'], rows),
  ].join('\n\n');
}
