import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import type { GitHubSettings } from '../model/github.ts';
import type { CheckResult } from '../model/health.ts';
import type { IncidentFacts } from '../model/incident.ts';
import { ENVIRONMENT_NAME } from '../model/version.ts';
import type { ReadTextFile } from '../ports.ts';
import { wholeNumberField } from '../schema/fields.ts';
import { githubInputs, parseGitHubSettings } from './github.ts';
import {
  applyDefaults,
  type InputSpecs,
  type OutputSpecs,
  parseWithSchema,
  type RawInputs,
} from './input-spec.ts';

export const incidentInputs = {
  mode: {
    description:
      'open: open an incident (or comment on the open one) for a failed deploy; resolve: close the open one after a good deploy.',
    default: 'open',
  },
  environment: { description: 'The environment that failed (or recovered).', required: true },
  version: {
    description: 'The version that failed to deploy (open), or the good one deployed (resolve).',
    default: '',
  },
  'previous-version': { description: 'The version that was serving before.', default: '' },
  stage: {
    description: 'The stage that failed: preflight, gate, deploy, health-check, rollback …',
    default: '',
  },
  rollback: {
    description:
      'How the rollback went: succeeded, failed, not-needed (production was checked and still healthy), not-reached (blue-green rejected the release before any user reached it), reverted (rolling: every host it reached went back, verified) or none.',
    default: 'none',
  },
  'health-report': {
    description: "The health check's report: the health-check action's report output (JSON), or Markdown.",
    default: '',
  },
  log: {
    description: "The failing step's output (its tail goes into the issue, secrets removed).",
    default: '',
  },
  'log-file': { description: 'The same, from a file.', default: '' },
  'log-lines': { description: 'How many last lines of the log the issue shows.', default: '50' },
  assignees: {
    description: 'GitHub logins to assign (the on-call), separated by commas or spaces.',
    default: '',
  },
  label: {
    description: 'The label that marks incidents (created when missing).',
    default: 'production-incident',
  },
  'extra-labels': { description: 'More labels for a new incident, separated by commas.', default: '' },
  'mask-values': {
    description:
      'Secret values to remove from everything the issue shows, one per line (pass them from your secrets).',
    default: '',
  },
  ...githubInputs,
} as const satisfies InputSpecs;

export const incidentOutputs = {
  action: {
    description: 'opened, commented (an incident was already open), closed, or none (resolve found nothing).',
  },
  'issue-number': { description: 'The incident issue number.' },
  'issue-url': { description: 'The incident issue URL.' },
} as const satisfies OutputSpecs;

export interface IncidentSettings {
  readonly mode: 'open' | 'resolve';
  readonly facts: Omit<IncidentFacts, 'actor' | 'runUrl' | 'runner' | 'at'>;
  readonly assignees: readonly string[];
  readonly label: string;
  readonly extraLabels: readonly string[];
  readonly maskValues: readonly string[];
  /** The GitHub token and repository (absent for a local tracker). */
  readonly github?: GitHubSettings;
}

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

/** GitHub logins separated by commas or spaces (a leading @ allowed); anything else names `input`. */
export function parseAssignees(text: string, input: string): string[] {
  const logins = text
    .split(/[\s,]+/)
    .map((item) => item.replace(/^@/, ''))
    .filter(Boolean);
  const wrong = logins.find((login) => !LOGIN.test(login));
  if (wrong) throw new ConfigurationError(input, `"${wrong}" is not a GitHub login`);
  return logins;
}

const schema = z.object({
  mode: z.enum(['open', 'resolve'], { error: 'expected open or resolve' }),
  environment: z.string().check(z.regex(ENVIRONMENT_NAME, 'expected letters, digits, . _ - (at most 63)')),
  rollback: z.enum(['succeeded', 'failed', 'not-needed', 'not-reached', 'reverted', 'none'], {
    error: 'expected succeeded, failed, not-needed, not-reached, reverted or none',
  }),
  'log-lines': wholeNumberField(1),
});

/** Reads the incident inputs; the log and the health report are read and checked here, once. */
export function parseIncidentSettings(
  raw: RawInputs,
  readFile: ReadTextFile,
): IncidentSettings & { readonly github: GitHubSettings } {
  const values = applyDefaults(incidentInputs, raw);
  const flat = parseWithSchema(schema, values);
  const assignees = parseAssignees(values.assignees!, 'assignees');
  if (values.log && values['log-file']) throw new ConfigurationError('log', 'give log or log-file, not both');
  const log = values['log-file'] ? readLogFile(values['log-file'], readFile) : values.log!;
  const tail = log
    .split(/\r?\n/)
    .slice(-flat['log-lines'] - (log.endsWith('\n') ? 1 : 0))
    .join('\n');
  const health = readHealthReport(values['health-report']!);
  const optional = (key: string) => (values[key] ? values[key] : undefined);
  return {
    mode: flat.mode,
    facts: {
      environment: flat.environment,
      rollback: flat.rollback,
      ...defined({
        version: optional('version'),
        previousVersion: optional('previous-version'),
        stage: optional('stage'),
      }),
      ...(health ? { health } : {}),
      ...(tail.trim() ? { log: tail } : {}),
    },
    assignees,
    label: values.label!,
    extraLabels: values['extra-labels']!.split(',')
      .map((l) => l.trim())
      .filter(Boolean),
    maskValues: values['mask-values']!.split(/\r?\n/).filter((v) => v.trim()),
    github: parseGitHubSettings(values),
  };
}

function defined<T extends Record<string, string | undefined>>(record: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<
    Record<keyof T, string>
  >;
}

function readLogFile(file: string, readFile: ReadTextFile): string {
  try {
    return readFile(file);
  } catch (error) {
    throw new ConfigurationError('log-file', `cannot read ${file}: ${(error as Error).message}`);
  }
}

function readHealthReport(text: string): CheckResult | string | undefined {
  if (!text.trim()) return undefined;
  if (!text.trim().startsWith('{')) return text;
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError('health-report', `is not valid JSON: ${(error as Error).message}`);
  }
  const probes = (report as { probes?: unknown }).probes;
  if (!Array.isArray(probes) || typeof (report as { verdict?: unknown }).verdict !== 'string')
    throw new ConfigurationError(
      'health-report',
      "expected the health-check action's report output (verdict and probes)",
    );
  return report as CheckResult;
}
