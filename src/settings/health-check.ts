import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import type { Judgement, ProbeSpec } from '../model/health.ts';
import type { ReadTextFile } from '../ports.ts';
import {
  countField,
  durationField,
  failureLimitField,
  optionalWholeNumberField,
  wholeNumberField,
} from '../schema/fields.ts';
import {
  applyDefaults,
  type InputSpecs,
  type OutputSpecs,
  parseWithSchema,
  type RawInputs,
} from './input-spec.ts';
import { checkLimits, chooseProbesSource, parseProbes, requireCountedProbe } from './probe-list.ts';
import { readStructuredText } from './structured-text.ts';

/** The health-check action's inputs: names, defaults and descriptions, here and nowhere else. */
export const healthCheckInputs = {
  probes: {
    description:
      'The probes, as a YAML or JSON list (http, tcp, command, promql). Each may override the judgement inputs below. Give this or probes-file (inline, at most 128 KiB, the most Linux passes in one environment variable; a longer list needs probes-file).',
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
  'start-timeout': {
    description:
      "Wait up to this long for a probe's first answer: until then, measurements that could not run (refused, timed out: a service still starting) are not counted. 0s: off.",
    default: '0s',
  },
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
  'start-timeout': durationField,
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
  requireCountedProbe(probes, input);
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
    startTimeoutMs: inputs['start-timeout'],
    dryRun: false,
  };
  checkLimits(judgement, (field, message) => new ConfigurationError(field, message));
  return judgement;
}
