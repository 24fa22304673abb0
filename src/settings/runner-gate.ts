import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import type { Candidate, GateCheck, RunnerGateSettings } from '../model/gate.ts';
import { compiledField, durationField, wholeNumberField } from '../schema/fields.ts';
import { compileThreshold, type Threshold } from '../schema/threshold.ts';
import {
  applyDefaults,
  type InputSpecs,
  type OutputSpecs,
  parseWithSchema,
  type RawInputs,
} from './input-spec.ts';
import { readStructuredText } from './structured-text.ts';

export const runnerGateInputs = {
  candidates: {
    description:
      'The runners to choose from, in order of preference, as a YAML list: name, labels (for runs-on), and optionally metrics-url (an exporter to scrape instead of asking Prometheus).',
    required: true,
  },
  order: {
    description: 'Comma-separated candidate names, to reorder them (default: as listed).',
    default: '',
  },
  'prometheus-url': {
    description: 'The Prometheus to ask (its base URL), unless every candidate has a metrics-url.',
    default: '',
  },
  'max-cpu-percent': { description: 'A runner at or above this CPU use is not healthy.', default: '90' },
  'max-memory-percent': {
    description: 'A runner at or above this memory use is not healthy.',
    default: '90',
  },
  'extra-checks': {
    description:
      'More PromQL checks as a YAML list of {name, query, expect}; {runner} in a query is the candidate name.',
    default: '',
  },
  'query-timeout': { description: 'Time limit of one query or scrape.', default: '5s' },
  'query-retries': { description: 'Retries of a query or scrape that could not be answered.', default: '2' },
  'on-metrics-error': {
    description:
      'When the metrics cannot be read: fail (fail closed) or allow (pick the first candidate whose metrics could not be read).',
    default: 'fail',
  },
} as const satisfies InputSpecs;

export const runnerGateOutputs = {
  runner: { description: 'The chosen candidate name.' },
  'runs-on': {
    description:
      'Its labels as a JSON array, for the next job: runs-on set to fromJSON(needs.<gate job>.outputs.runs-on).',
  },
  report: { description: 'JSON: every candidate, every check, every value read, and the decision.' },
} as const satisfies OutputSpecs;

const percent = (input: string) =>
  compiledField(z.string(), (raw) => {
    const value = Number(raw);
    return raw.trim() !== '' && Number.isFinite(value) && value > 0 && value <= 100
      ? value
      : { problem: `"${raw}" is not a number from 0 to 100 (${input})` };
  });

const flat = z.object({
  'max-cpu-percent': percent('percent of CPU'),
  'max-memory-percent': percent('percent of memory'),
  'query-timeout': durationField,
  'query-retries': wholeNumberField(0),
  'on-metrics-error': z.enum(['fail', 'allow'], 'use fail or allow'),
});

const candidateSchema = z.strictObject({
  name: z.string().check(z.regex(/^[\w.-]+$/, 'is not a plain name (letters, digits, . _ -)')),
  labels: z.optional(
    z.union([
      z.array(z.string()),
      compiledField(z.string(), (text) =>
        text
          .split(',')
          .map((label) => label.trim())
          .filter(Boolean),
      ),
    ]),
  ),
  'metrics-url': z.optional(
    compiledField(z.string(), (raw) =>
      URL.canParse(raw) ? new URL(raw) : { problem: `"${raw}" is not a URL` },
    ),
  ),
});

const extraCheck = z.strictObject({
  name: z.string().check(z.minLength(1)),
  query: z.string().check(z.minLength(1)),
  expect: compiledField(z.union([z.string(), z.number()]), compileThreshold),
});

/** The seed-004 checks: online, CPU and memory below their limits. */
function defaultChecks(maxCpu: number, maxMemory: number): GateCheck[] {
  const check = (name: string, metric: string, expect: string) => ({
    name,
    metric,
    query: `${metric}{runner="{runner}"}`,
    expect: compileThreshold(expect) as Threshold,
  });
  return [
    check('online', 'runner_status', '== 1'),
    check('cpu', 'runner_cpu_usage_percent', `< ${maxCpu}`),
    check('memory', 'runner_memory_usage_percent', `< ${maxMemory}`),
  ];
}

/** Validates the gate's inputs; every problem names its input. */
export function parseRunnerGateSettings(raw: RawInputs): RunnerGateSettings {
  const values = applyDefaults(runnerGateInputs, raw);
  const inputs = parseWithSchema(flat, values);
  const listed = readStructuredText(values.candidates!, 'candidates');
  if (!Array.isArray(listed) || listed.length === 0) {
    throw new ConfigurationError(
      'candidates',
      'expected a non-empty list of candidates, e.g. - { name: primary, labels: [self-hosted, primary] }',
    );
  }
  const candidates = listed.map((entry: unknown, index) => {
    const parsed = parseWithSchema(candidateSchema, entry, 'candidates', `candidate ${index + 1}`);
    return {
      name: parsed.name,
      labels: parsed.labels && parsed.labels.length > 0 ? parsed.labels : ['self-hosted', parsed.name],
      ...(parsed['metrics-url'] ? { metricsUrl: parsed['metrics-url'] } : {}),
    };
  });
  const ordered = reorder(candidates, values.order!);
  const prometheus = values['prometheus-url'];
  if (prometheus && !URL.canParse(prometheus))
    throw new ConfigurationError('prometheus-url', `"${prometheus}" is not a URL`);
  const missing = ordered.find((candidate) => !candidate.metricsUrl && !prometheus);
  if (missing)
    throw new ConfigurationError(
      'prometheus-url',
      `is required: candidate "${missing.name}" has no metrics-url`,
    );
  const extra = values['extra-checks'] ? readStructuredText(values['extra-checks'], 'extra-checks') : [];
  if (!Array.isArray(extra))
    throw new ConfigurationError('extra-checks', 'expected a list of {name, query, expect}');
  const extraChecks = extra.map((entry: unknown, index) =>
    parseWithSchema(extraCheck, entry, 'extra-checks', `check ${index + 1}`),
  );
  return {
    candidates: ordered,
    ...(prometheus ? { prometheusUrl: new URL(prometheus) } : {}),
    checks: [...defaultChecks(inputs['max-cpu-percent'], inputs['max-memory-percent']), ...extraChecks],
    queryTimeoutMs: inputs['query-timeout'],
    queryRetries: inputs['query-retries'],
    onMetricsError: inputs['on-metrics-error'],
  };
}

function reorder(candidates: Candidate[], order: string): Candidate[] {
  if (!order) return candidates;
  return order.split(',').map((name) => {
    const found = candidates.find((candidate) => candidate.name === name.trim());
    if (!found) {
      throw new ConfigurationError(
        'order',
        `"${name.trim()}" is not a candidate (candidates: ${candidates.map((c) => c.name).join(', ')})`,
      );
    }
    return found;
  });
}
