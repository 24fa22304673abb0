import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import type { RunnerGateSettings } from '../model/gate.ts';
import type { GitHubSettings } from '../model/github.ts';
import type { DeploySettings, RollbackSettings } from '../model/release.ts';
import type { ReadTextFile } from '../ports.ts';
import { booleanField } from '../schema/fields.ts';
import { deployInputs, parseDeploySettings, parseRollbackSettings } from './deploy.ts';
import { parseGitHubSettings } from './github.ts';
import { type HealthCheckSettings, healthCheckInputs, parseHealthCheckSettings } from './health-check.ts';
import { parseAssignees } from './incident.ts';
import {
  applyDefaults,
  type InputSpecs,
  type OutputSpecs,
  parseWithSchema,
  type RawInputs,
} from './input-spec.ts';
import { type PreflightSettings, parsePreflightSettings, preflightInputs } from './preflight.ts';
import { parseRunnerGateSettings, runnerGateInputs } from './runner-gate.ts';

/** A stage's input as the pipeline offers it: the stage's own description and its one default. */
function fromStage(stage: string, spec: { readonly description: string; readonly default?: string }) {
  return { description: `${stage}: ${spec.description}`, default: spec.default ?? '' };
}

/** The whole pipeline's inputs: deploy's, plus one group per optional stage (prefixed by the stage). */
export const pipelineInputs = {
  ...deployInputs,
  'preflight-checks': {
    description: 'preflight: the checks, as the preflight action takes them (empty: no preflight stage).',
    default: '',
  },
  'preflight-timeout': fromStage('preflight', preflightInputs.timeout),
  'gate-candidates': {
    description:
      'runner gate: the candidates, as runner-health-gate takes them (empty: no gate stage); no healthy runner stops the pipeline.',
    default: '',
  },
  'gate-prometheus-url': fromStage('runner gate', runnerGateInputs['prometheus-url']),
  'health-probes': {
    description:
      'health check after the deploy: probes, as health-check takes them (empty: no health stage).',
    default: '',
  },
  'health-probes-file': { description: 'health check: the same, from a file.', default: '' },
  'health-count': fromStage('health check', healthCheckInputs.count),
  'health-interval': fromStage('health check', healthCheckInputs.interval),
  'health-failure-limit': fromStage('health check', healthCheckInputs['failure-limit']),
  'auto-rollback': {
    description:
      'Roll back to the last good version when the new one fails verification or the health check.',
    default: 'true',
  },
  'on-rollback': { description: 'A command run after a verified rollback.', default: '' },
  incident: {
    description:
      'Where a failure opens an incident (and a good deploy resolves it): github (issues), file (Markdown in incident-dir) or none.',
    default: 'github',
  },
  'incident-on': {
    description:
      'When a failure opens an incident: user-impact (the new version reached users, or production may be unhealthy) or any-failure (a release rejected on its slot before any user reached it too).',
    default: 'user-impact',
  },
  'incident-dir': { description: 'incident file: the directory for incident Markdown files.', default: '' },
  'incident-assignees': { description: 'incident: GitHub logins to assign (the on-call).', default: '' },
  'incident-label': {
    description: 'incident: the label that marks incidents.',
    default: 'production-incident',
  },
} as const satisfies InputSpecs;

export const pipelineOutputs = {
  result: {
    description:
      'deployed, unchanged, rolled-back (the new version failed and the old one serves), failed, dry-run, or paused (promotion: manual: verified on its slot, waiting for promote; a canary at a pause: {}).',
  },
  'preview-url': {
    description:
      "paused: the slot's own address (http://host:port), where the version is tried before promote.",
  },
  canary: {
    description:
      'strategy canary: where it ended: promoted after step 6 of 6, paused at step 4 of 6 (25 %), or aborted at step 2 of 6 (20 %).',
  },
  version: { description: 'The version asked for.' },
  'previous-version': { description: 'The version that was current before.' },
  'failed-stage': { description: 'The stage that failed, if any.' },
  'incident-url': { description: 'The incident opened, commented or closed, if any.' },
  report: { description: 'JSON: every stage with its result, timing and details.' },
} as const satisfies OutputSpecs;

export type IncidentTarget =
  | { readonly kind: 'none' }
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'github'; readonly github: GitHubSettings };

export interface PipelineSettings {
  readonly deploy: DeploySettings;
  readonly rollback?: RollbackSettings;
  readonly preflight?: PreflightSettings;
  readonly gate?: RunnerGateSettings;
  readonly health?: HealthCheckSettings;
  readonly incident: IncidentTarget & { readonly assignees: readonly string[]; readonly label: string };
  /** When a failure opens an incident (see decideRecovery). */
  readonly incidentOn: 'user-impact' | 'any-failure';
}

/** Runs a stage's own parser on its prefixed inputs; an error names the pipeline's input, not the stage's. */
function asStage<T>(prefix: string, renamed: Readonly<Record<string, string>>, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    const input = renamed[error.input] ?? `${prefix}${error.input}`;
    throw new ConfigurationError(input, error.problem, error.remedy);
  }
}

/** Validates the pipeline's inputs with each stage's own schema; every problem names its input. */
export function parsePipelineSettings(raw: RawInputs, readFile: ReadTextFile): PipelineSettings {
  const values = applyDefaults(pipelineInputs, raw);
  const { 'auto-rollback': autoRollback } = parseWithSchema(
    z.object({ 'auto-rollback': booleanField }),
    values,
  );
  const deploy = parseDeploySettings(values, readFile);
  const rollback = autoRollback
    ? parseRollbackSettings({ ...values, 'to-version': '', image: '', force: 'false' }, readFile)
    : undefined;
  const preflight = values['preflight-checks']
    ? asStage('preflight-', { checks: 'preflight-checks' }, () =>
        parsePreflightSettings({
          checks: values['preflight-checks'],
          timeout: values['preflight-timeout'],
          'state-dir': values['state-dir'],
        }),
      )
    : undefined;
  const gate = values['gate-candidates']
    ? asStage('gate-', {}, () =>
        parseRunnerGateSettings({
          candidates: values['gate-candidates'],
          'prometheus-url': values['gate-prometheus-url'],
        }),
      )
    : undefined;
  const health =
    values['health-probes'] || values['health-probes-file']
      ? asStage('health-', {}, () =>
          parseHealthCheckSettings(
            {
              probes: values['health-probes'],
              'probes-file': values['health-probes-file'],
              count: values['health-count'],
              interval: values['health-interval'],
              'failure-limit': values['health-failure-limit'],
            },
            readFile,
          ),
        )
      : undefined;
  return {
    deploy,
    ...(rollback ? { rollback } : {}),
    ...(preflight ? { preflight } : {}),
    ...(gate ? { gate } : {}),
    ...(health ? { health } : {}),
    incident: {
      ...parseIncidentTarget(values),
      assignees: parseAssignees(values['incident-assignees']!, 'incident-assignees'),
      label: values['incident-label']!,
    },
    incidentOn: parseIncidentOn(values['incident-on']!),
  };
}

function parseIncidentTarget(values: Readonly<Record<string, string>>): IncidentTarget {
  const kind = values.incident;
  if (kind === 'none') return { kind };
  if (kind === 'file') {
    if (!values['incident-dir'])
      throw new ConfigurationError('incident-dir', 'is required with incident: file');
    return { kind, dir: values['incident-dir'] };
  }
  if (kind !== 'github') throw new ConfigurationError('incident', `"${kind}" is not github, file or none`);
  return {
    kind,
    github: (() => {
      try {
        return parseGitHubSettings(values);
      } catch (error) {
        if (!(error instanceof ConfigurationError)) throw error;
        // Outside GitHub, say how to do without GitHub issues too.
        throw new ConfigurationError(error.input, `${error.problem} for incident: github`, {
          input: 'incident',
          value: 'file',
        });
      }
    })(),
  };
}

function parseIncidentOn(value: string): 'user-impact' | 'any-failure' {
  if (value === 'user-impact' || value === 'any-failure') return value;
  throw new ConfigurationError('incident-on', `"${value}" is not user-impact or any-failure`);
}
