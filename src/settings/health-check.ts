import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import { PROBE_TYPES, type ProbeDeclaration, probeDeclaration } from '../health/probe-schema.ts';
import type { Judgement } from '../health/verdict.ts';
import type { ProbeSpec } from '../model/health.ts';
import type { ReadTextFile } from '../ports.ts';
import {
  countField,
  durationField,
  failureLimitField,
  optionalWholeNumberField,
  wholeNumberField,
} from './fields.ts';
import {
  applyDefaults,
  type InputSpecs,
  type OutputSpecs,
  parseWithSchema,
  type RawInputs,
} from './input-spec.ts';
import { readStructuredText } from './structured-text.ts';

/** The health-check action's inputs: names, defaults and descriptions, here and nowhere else. */
export const healthCheckInputs = {
  probes: {
    description:
      'The probes, as a YAML or JSON list (http, tcp, command, promql). Each may override the judgement inputs below. Give this or probes-file.',
  },
  'probes-file': {
    description: 'A YAML or JSON file with the probes, relative to the workspace. Give this or probes.',
  },
  interval: { description: 'Time between two measurements of a probe (500ms, 5s, 1m).', default: '5s' },
  count: {
    description:
      'Measurements a probe is judged on (errors are retried and do not count); unbounded: until a limit or consecutive-successes decides.',
    default: '3',
  },
  'initial-delay': { description: 'Wait before the first measurement.', default: '0s' },
  'failure-limit': {
    description:
      'Failed measurements a probe tolerates; one more fails it. Less than count; -1 (as in Argo Rollouts): failures never fail it, consecutive-successes decides.',
    default: '0',
  },
  'inconclusive-limit': {
    description:
      'Inconclusive measurements a probe tolerates (neither expect nor fail-when held); one more makes it inconclusive.',
    default: '0',
  },
  'consecutive-error-limit': {
    description:
      'Measurements in a row a probe tolerates that could not run (timeout, refused, DNS); one more is an error. As in Argo Rollouts.',
    default: '4',
  },
  'error-limit': {
    description:
      'If set, measurements in all a probe tolerates that could not run; one more is an error. Off by default.',
    default: '',
  },
  'consecutive-successes': {
    description:
      'If set (2 or more), a probe succeeds as soon as this many measurements in a row succeed, and otherwise does not (Argo Rollouts: consecutiveSuccessLimit).',
    default: '',
  },
  timeout: { description: 'How long one measurement may take before it counts as an error.', default: '5s' },
  'report-file': {
    description: 'Also write the JSON report to this file (for later steps or an incident).',
    default: '',
  },
} as const satisfies InputSpecs;

export const healthCheckOutputs = {
  result: { description: 'successful, failed, error or inconclusive.' },
  report: {
    description: 'JSON: the verdict and every measurement of every probe (time, latency, value, reason).',
  },
} as const satisfies OutputSpecs;

export interface HealthCheckSettings {
  readonly probes: readonly ProbeSpec[];
  readonly reportFile?: string;
}

const flatInputs = z.object({
  probes: z.string(),
  'probes-file': z.string(),
  interval: durationField,
  count: countField,
  'initial-delay': durationField,
  'failure-limit': failureLimitField,
  'inconclusive-limit': wholeNumberField(0),
  'consecutive-error-limit': wholeNumberField(0),
  'error-limit': optionalWholeNumberField(0),
  'consecutive-successes': optionalWholeNumberField(1),
  timeout: durationField,
  'report-file': z.string(),
});

/** Validates the raw inputs once into readonly settings; every problem names its input. */
export function parseHealthCheckSettings(raw: RawInputs, readFile: ReadTextFile): HealthCheckSettings {
  const inputs = parseWithSchema(flatInputs, applyDefaults(healthCheckInputs, raw));
  const defaults = judgementOf(inputs);
  const source = chooseProbesSource(inputs.probes, inputs['probes-file'], readFile, [
    'probes',
    'probes-file',
  ]);
  if (!source) throw new ConfigurationError('probes', 'no probes: give probes (YAML or JSON) or probes-file');
  const { input, text } = source;
  const probes = parseProbes(readStructuredText(text, input), input, defaults);
  return { probes, ...(inputs['report-file'] ? { reportFile: inputs['report-file'] } : {}) };
}

/** The judgement the health-check inputs declare (their defaults, when `raw` is empty), checked. */
export function defaultJudgement(raw: RawInputs = {}): Judgement {
  return judgementOf(parseWithSchema(flatInputs, applyDefaults(healthCheckInputs, raw)));
}

function judgementOf(inputs: z.output<typeof flatInputs>): Judgement {
  const judgement: Judgement = {
    intervalMs: inputs.interval,
    count: inputs.count,
    initialDelayMs: inputs['initial-delay'],
    failureLimit: inputs['failure-limit'],
    inconclusiveLimit: inputs['inconclusive-limit'],
    consecutiveErrorLimit: inputs['consecutive-error-limit'],
    errorLimit: inputs['error-limit'],
    consecutiveSuccesses: inputs['consecutive-successes'],
    timeoutMs: inputs.timeout,
    dryRun: false,
  };
  checkLimits(judgement, (field, message) => new ConfigurationError(field, message));
  return judgement;
}

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

/** Validates each declared probe and merges the action-level judgement into it. */
export function parseProbes(document: unknown, input: string, defaults: Judgement): ProbeSpec[] {
  const list = Array.isArray(document) ? document : (document as { probes?: unknown } | null)?.probes;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigurationError(input, 'expected a non-empty list of probes (each with name and type)');
  }
  const seen = new Set<string>();
  const probes = list.map((entry: unknown, index) => {
    const label = describeProbe(entry, index);
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
  if (probes.every((probe) => probe.judgement.dryRun))
    throw new ConfigurationError(
      input,
      'every probe is a dry run, so nothing could fail the check: leave one counted',
    );
  return probes;
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
    dryRun: probe['dry-run'] ?? defaults.dryRun,
  };
}

/** Limits that would make a probe unable to fail, to end, or to be an analysis are mistakes, not choices. */
function checkLimits(
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
