import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import type { GitHubSettings } from '../model/github.ts';
import { ROLES, type Role } from '../model/github.ts';
import { booleanField } from '../schema/fields.ts';
import { githubInputs, parseGitHubSettings } from './github.ts';
import {
  applyDefaults,
  type InputSpecs,
  type OutputSpecs,
  parseWithSchema,
  type RawInputs,
} from './input-spec.ts';

export const prStagingInputs = {
  mode: {
    description:
      'gate: decide whether this pull request may deploy; report: update the sticky comment with the result; teardown: retire the environment after the pull request closed.',
    default: 'gate',
  },
  label: {
    description: 'The label a maintainer adds to allow a deploy of the current head.',
    default: 'deploy-to-staging',
  },
  'min-permission': {
    description: 'The least permission of whoever labels or approves: write, maintain or admin.',
    default: 'write',
  },
  'allow-approval': {
    description:
      'An approving review (of the head commit, by someone with min-permission) also allows a deploy.',
    default: 'true',
  },
  'environment-prefix': {
    description: 'The environment is this prefix and the pull request number.',
    default: 'staging-pr-',
  },
  'environment-url': { description: 'report: where the deployed pull request can be seen.', default: '' },
  version: { description: 'report: the version (commit) deployed.', default: '' },
  'health-result': { description: "report: the health check's result (successful, failed …).", default: '' },
  'deploy-result': {
    description: "report: the deploy's outcome (success, failure, cancelled).",
    default: '',
  },
  'teardown-command': {
    description: 'teardown: a command that removes the environment (DEPLOY_ENVIRONMENT and PR_NUMBER set).',
    default: '',
  },
  ...githubInputs,
} as const satisfies InputSpecs;

export const prStagingOutputs = {
  decision: { description: 'gate: deploy, wait or teardown.' },
  reason: { description: 'gate: why, in words.' },
  environment: { description: 'The environment of this pull request (e.g. staging-pr-12).' },
  ref: { description: 'The commit allowed: check out exactly this, never the branch.' },
  'pr-number': { description: 'The pull request number.' },
  'comment-url': { description: 'The sticky comment.' },
} as const satisfies OutputSpecs;

export interface PrStagingSettings {
  readonly mode: 'gate' | 'report' | 'teardown';
  readonly label: string;
  readonly minRole: Role;
  readonly allowApproval: boolean;
  readonly environmentPrefix: string;
  readonly environmentUrl?: string;
  readonly version?: string;
  readonly healthResult?: string;
  readonly deployResult?: string;
  readonly teardownCommand?: string;
  readonly github: GitHubSettings;
}

const schema = z.object({
  mode: z.enum(['gate', 'report', 'teardown'], 'use gate, report or teardown'),
  'min-permission': z.enum(['write', 'maintain', 'admin'], 'use write, maintain or admin'),
  'allow-approval': booleanField,
  'environment-prefix': z
    .string()
    .check(z.regex(/^[A-Za-z0-9][\w.-]{0,40}$/, 'expected letters, digits, . _ -')),
});

export function parsePrStagingSettings(raw: RawInputs): PrStagingSettings {
  const values = applyDefaults(prStagingInputs, raw);
  const flat = parseWithSchema(schema, values);
  const url = values['environment-url'];
  if (url && !URL.canParse(url)) throw new ConfigurationError('environment-url', `"${url}" is not a URL`);
  const optional = (key: string) => (values[key] ? values[key] : undefined);
  const extras = {
    environmentUrl: optional('environment-url'),
    version: optional('version'),
    healthResult: optional('health-result'),
    deployResult: optional('deploy-result'),
    teardownCommand: optional('teardown-command'),
  };
  return {
    mode: flat.mode,
    label: values.label!,
    minRole: ROLES.find((role) => role === flat['min-permission'])!,
    allowApproval: flat['allow-approval'],
    environmentPrefix: flat['environment-prefix'],
    ...Object.fromEntries(Object.entries(extras).filter(([, v]) => v !== undefined)),
    github: parseGitHubSettings(values),
  };
}
