import { ConfigurationError } from '../errors.ts';
import type { Judgement, ProbeSpec } from '../model/health.ts';
import type { ReadTextFile } from '../ports.ts';
import { PROBE_TYPES, type ProbeDeclaration, probeDeclaration } from '../schema/probe-schema.ts';
import { parseWithSchema } from './input-spec.ts';

/** A list of probes (health-check's probes, deploy's verify-probes), each under its judgement. */

/**
 * Probes given inline or in a file (never both), with the input they came from; undefined when
 * neither is given. `names` are the two inputs (probes and probes-file, verify-probes and …-file).
 */
export function chooseProbesSource(
  inline: string | undefined,
  file: string | undefined,
  readFile: ReadTextFile,
  [inlineInput, fileInput]: readonly [string, string],
): { input: string; text: string } | undefined {
  if (inline && file)
    throw new ConfigurationError(inlineInput, `give either ${inlineInput} or ${fileInput}, not both`);
  if (inline) return { input: inlineInput, text: inline };
  if (!file) return undefined;
  try {
    return { input: fileInput, text: readFile(file) };
  } catch (error) {
    throw new ConfigurationError(fileInput, `cannot read "${file}": ${(error as Error).message}`);
  }
}

/**
 * Validates each declared probe and merges the action-level judgement into it. `positions`: where
 * each entry sits in the list the user wrote, when this is a part of it (for the messages).
 */
export function parseProbes(
  document: unknown,
  input: string,
  defaults: Judgement,
  positions?: readonly number[],
): ProbeSpec[] {
  const list = Array.isArray(document) ? document : (document as { probes?: unknown } | null)?.probes;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigurationError(input, 'expected a non-empty list of probes (each with name and type)');
  }
  const seen = new Set<string>();
  return list.map((entry: unknown, index) => {
    const label = describeProbe(entry, positions?.[index] ?? index);
    const type = (entry as { type?: unknown } | null)?.type;
    if (!PROBE_TYPES.includes(type as never)) {
      throw new ConfigurationError(
        input,
        `${label}: unknown probe type ${JSON.stringify(type)}; use one of ${PROBE_TYPES.join(', ')}`,
      );
    }
    const declared = parseWithSchema(probeDeclaration, entry, input, label);
    if (seen.has(declared.name))
      throw new ConfigurationError(input, `${label}: the name is used twice; names must be unique`);
    seen.add(declared.name);
    const judgement = mergeJudgement(declared, defaults);
    checkLimits(
      judgement,
      (field, message) => new ConfigurationError(input, `${label}, field "${field}": ${message}`),
    );
    return { ...declared, judgement };
  });
}

/** Dry runs decide nothing: a list of them alone is a check that cannot fail. */
export function requireCountedProbe(probes: readonly ProbeSpec[], input: string): void {
  if (probes.length > 0 && probes.every((probe) => probe.judgement.dryRun))
    throw new ConfigurationError(
      input,
      'every probe is a dry run, so nothing could fail the check: leave one counted',
    );
}

function mergeJudgement(probe: ProbeDeclaration, defaults: Judgement): Judgement {
  return {
    intervalMs: probe.interval ?? defaults.intervalMs,
    count: probe.count ?? defaults.count,
    initialDelayMs: probe['initial-delay'] ?? defaults.initialDelayMs,
    failureLimit: probe['failure-limit'] ?? defaults.failureLimit,
    inconclusiveLimit: probe['inconclusive-limit'] ?? defaults.inconclusiveLimit,
    consecutiveErrorLimit: probe['consecutive-error-limit'] ?? defaults.consecutiveErrorLimit,
    errorLimit: 'error-limit' in probe ? probe['error-limit'] : defaults.errorLimit,
    consecutiveSuccesses:
      'consecutive-successes' in probe ? probe['consecutive-successes'] : defaults.consecutiveSuccesses,
    timeoutMs: probe.timeout ?? defaults.timeoutMs,
    startTimeoutMs: probe['start-timeout'] ?? defaults.startTimeoutMs,
    dryRun: probe['dry-run'] ?? defaults.dryRun,
  };
}

/** Limits that would make a probe unable to fail, to end, or to be an analysis are mistakes, not choices. */
export function checkLimits(
  judgement: Judgement,
  problem: (field: string, message: string) => ConfigurationError,
): void {
  const { count, failureLimit, inconclusiveLimit, consecutiveSuccesses } = judgement;
  const bounded = Number.isFinite(count);
  if (failureLimit === -1 && consecutiveSuccesses === undefined)
    throw problem(
      'failure-limit',
      '-1 (failures never fail the probe) needs consecutive-successes, or nothing could decide it',
    );
  if (!bounded && (consecutiveSuccesses === undefined || failureLimit === -1))
    throw problem(
      'count',
      'unbounded needs consecutive-successes and a failure-limit of 0 or more, or the probe might never end',
    );
  if (bounded && failureLimit >= count)
    throw problem(
      'failure-limit',
      `${failureLimit} must be less than count (${count}), or the probe could never fail`,
    );
  if (bounded && inconclusiveLimit >= count)
    throw problem(
      'inconclusive-limit',
      `${inconclusiveLimit} must be less than count (${count}), or it would tolerate every measurement`,
    );
  if (consecutiveSuccesses === undefined) return;
  if (consecutiveSuccesses > count)
    throw problem('consecutive-successes', `${consecutiveSuccesses} cannot exceed count (${count})`);
  // The minimum sample before an early success: one healthy answer is not an analysis.
  if (consecutiveSuccesses < 2 && count > 1)
    throw problem(
      'consecutive-successes',
      '1 would end the analysis at the first healthy answer: use 2 or more (or count: 1 for one measurement)',
    );
}

function describeProbe(entry: unknown, index: number): string {
  const name = (entry as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name ? `probe ${index + 1} ("${name}")` : `probe ${index + 1}`;
}
