import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import type { GitHubSettings } from '../model/github.ts';
import { type ImageReference, parseImageReference } from '../model/image.ts';
import { ENVIRONMENT_NAME } from '../model/version.ts';
import type { RetentionRules } from '../registry/retention-plan.ts';
import { booleanField, compiledField, wholeNumberField } from '../schema/fields.ts';
import { compileGlob, type Glob } from '../schema/glob.ts';
import { parseImageInput, parseRegistryCredentials } from './deploy.ts';
import { githubInputs, parseGitHubSettings } from './github.ts';
import {
  applyDefaults,
  type InputSpecs,
  type OutputSpecs,
  parseWithSchema,
  type RawInputs,
} from './input-spec.ts';
import { readStructuredText } from './structured-text.ts';

/** Where environments' records are read (never written): state-dir, or GitHub Deployments. */
export const recordInputs = {
  'state-dir': {
    description: "Where the environments' state lives (backend file).",
    default: '~/.deploy-actions',
  },
  backend: {
    description: "Where the environments' records live: file (state-dir) or github (GitHub Deployments).",
    default: 'file',
  },
  ...githubInputs,
} as const satisfies InputSpecs;

export const registryCredentialInputs = {
  'registry-username': {
    description: 'The registry user, when the registry asks for credentials (basic or its token service).',
    default: '',
  },
  'registry-password': {
    description:
      'The registry password or token (a secret: masked, never recorded); for ghcr.io the github-token does unless one is given.',
    default: '',
  },
} as const satisfies InputSpecs;

export const promoteImageInputs = {
  image: {
    description:
      'The image to promote: registry/name:tag or registry/name@sha256:… (resolved to its digest).',
    required: true,
  },
  'from-environment': {
    description:
      'The environment whose record must show that digest deployed and verified good (CLI: --from).',
    required: true,
    flag: 'from',
  },
  'to-environment': {
    description: 'The environment it is promoted to (CLI: --to); names the default tag.',
    required: true,
    flag: 'to',
  },
  tag: {
    description:
      "The tag to point at the digest: a tag of the same repository (default: the target environment's name), or registry/other-name:tag in the same registry (blobs mounted, nothing pulled).",
    default: '',
  },
  ...registryCredentialInputs,
  ...recordInputs,
} as const satisfies InputSpecs;

export const promoteImageOutputs = {
  digest: { description: 'The digest promoted (sha256:…), now under the tag.' },
  image: {
    description: "registry/name@sha256:…: the promoted image by digest, for the deploy's image input.",
  },
  tag: { description: 'The tag pointed at it: registry/name:tag.' },
  report: { description: 'JSON: the digest, the release that vouched for it, what was mounted and put.' },
} as const satisfies OutputSpecs;

/** Where records are read: a state directory, or a repository's GitHub Deployments. */
export interface RecordSource {
  readonly stateDir: string;
  readonly github?: GitHubSettings;
}

export interface PromoteImageSettings {
  readonly image: ImageReference;
  readonly from: string;
  readonly to: string;
  /** Where the tag goes: a repository of the image's registry, and the tag. */
  readonly target: { readonly repository: string; readonly tag: string };
  readonly registry?: { readonly username: string; readonly password: string };
  readonly records: RecordSource;
}

const environmentField = z
  .string()
  .check(z.regex(ENVIRONMENT_NAME, 'expected letters, digits, . _ - (at most 63)'));

export function parseRecordSource(values: Record<string, string>): RecordSource {
  const { backend } = parseWithSchema(
    z.object({ backend: z.enum(['file', 'github'], 'use file or github') }),
    values,
  );
  return {
    stateDir: values['state-dir']!,
    ...(backend === 'github' ? { github: parseGitHubSettings(values) } : {}),
  };
}

export function parsePromoteImageSettings(raw: RawInputs): PromoteImageSettings {
  const values = applyDefaults(promoteImageInputs, raw);
  const flat = parseWithSchema(
    z.object({ 'from-environment': environmentField, 'to-environment': environmentField }),
    values,
  );
  if (flat['from-environment'] === flat['to-environment'])
    throw new ConfigurationError('to-environment', 'is the from-environment: promote to another environment');
  const image = parseImageInput(values.image!);
  return {
    image,
    from: flat['from-environment'],
    to: flat['to-environment'],
    target: parseTarget(values.tag || flat['to-environment'], image),
    ...parseRegistryCredentials(values, image.registry),
    records: parseRecordSource(values),
  };
}

/** `prod`, or `registry/other:prod` in the image's own registry (a mount needs one registry). */
function parseTarget(text: string, image: ImageReference): PromoteImageSettings['target'] {
  if (/^[\w][\w.-]{0,127}$/.test(text)) return { repository: image.repository, tag: text };
  const target = parseImageReference(text);
  if ('problem' in target)
    throw new ConfigurationError('tag', `${target.problem} (or a plain tag such as prod)`);
  if (!target.tag || target.digest) throw new ConfigurationError('tag', `"${text}" must end in :<tag>`);
  if (target.registry !== image.registry)
    throw new ConfigurationError(
      'tag',
      `${target.registry} is not ${image.registry}: promotion points a tag in the image's own registry (it mounts, never copies layers)`,
    );
  return { repository: target.repository, tag: target.tag };
}

export const retentionInputs = {
  repository: {
    description: 'The repository to clean: registry[:port]/name (e.g. registry.example.com/shop).',
    required: true,
  },
  'keep-releases': {
    description:
      'Final release tags, kept forever: a glob (* any run, ? one character); a tag with a pre-release part (a -) never counts as final.',
    default: 'v*.*.*',
  },
  'keep-rc': {
    description:
      "Release candidates: a map of pattern, count and age. The newest count and any younger than age (by the image config's created time) are kept; the others are removed.",
    default: '{ pattern: v*.*.*-rc*, count: 5, age: 30d }',
  },
  remove: {
    description: 'Stale tags to remove (a YAML list of globs), unless something keeps them.',
    default: '[sha-*]',
  },
  environments: {
    description:
      'Environments (comma or newline separated) whose records protect what they run: the current release, each blue-green slot, and their last keep-deployed releases. Their names are pointer tags too (kept).',
    default: '',
  },
  'keep-tags': {
    description: 'More pointer tags, kept with what they name (a YAML list of globs, e.g. [prod, staging]).',
    default: '[]',
  },
  'keep-deployed': {
    description: "How many of each environment's latest releases protect their digest.",
    default: '10',
  },
  delete: {
    description:
      'Delete (by digest, where the registry allows it); false (the default) is a dry run that changes nothing.',
    default: 'false',
  },
  ...registryCredentialInputs,
  'state-dir': recordInputs['state-dir'],
  backend: recordInputs.backend,
  'github-token': recordInputs['github-token'],
  'github-repository': {
    description: 'backend github: the repository (owner/name) holding the deployments.',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression the runner evaluates
    default: '${{ github.repository }}',
  },
} as const satisfies InputSpecs;

export const retentionOutputs = {
  result: { description: 'dry-run (nothing changed), deleted, or failed.' },
  removed: {
    description: 'JSON: the tags removed (or, in a dry run, that would be), each with its digest and why.',
  },
  report: { description: 'JSON: every tag with its decision and reason, the deletions, the requests made.' },
} as const satisfies OutputSpecs;

export interface RetentionSettings {
  readonly repository: { readonly registry: string; readonly repository: string };
  readonly rules: RetentionRules;
  readonly environments: readonly string[];
  readonly keepDeployed: number;
  readonly delete: boolean;
  readonly registry?: { readonly username: string; readonly password: string };
  readonly records: RecordSource;
}

export function parseRetentionSettings(raw: RawInputs): RetentionSettings {
  const values = applyDefaults(retentionInputs, raw);
  const flat = parseWithSchema(
    z.object({ 'keep-deployed': wholeNumberField(1), delete: booleanField }),
    values,
  );
  const repository = parseImageReference(values.repository!);
  if ('problem' in repository) throw new ConfigurationError('repository', repository.problem);
  if (repository.tag || repository.digest)
    throw new ConfigurationError(
      'repository',
      `"${values.repository}" names a tag or digest: give registry/name only`,
    );
  const environments = values
    .environments!.split(/[\n,]/)
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of environments)
    if (!ENVIRONMENT_NAME.test(name))
      throw new ConfigurationError('environments', `"${name}" is not an environment name`);
  const rc = parseWithSchema(
    z.object({
      pattern: z._default(globField, compileGlob('v*.*.*-rc*')),
      count: wholeNumberField(0),
      age: ageField,
    }),
    readStructuredText(values['keep-rc']!, 'keep-rc'),
    'keep-rc',
  );
  return {
    repository: { registry: repository.registry, repository: repository.repository },
    rules: {
      keepReleases: parseWithSchema(globField, values['keep-releases'], 'keep-releases').pattern,
      rc: { pattern: rc.pattern.pattern, count: rc.count, ageMs: rc.age },
      remove: parseGlobs(values.remove!, 'remove'),
      pointers: [...environments.map(compileGlob), ...parseGlobs(values['keep-tags']!, 'keep-tags')],
    },
    environments,
    keepDeployed: flat['keep-deployed'],
    delete: flat.delete,
    ...parseRegistryCredentials(values, repository.registry),
    // `repository` is the image repository here: the GitHub one is github-repository.
    records: parseRecordSource({ ...values, repository: values['github-repository']! }),
  };
}

/** An age, not a wait: hours, days or weeks (`30d`), far beyond what a timer holds. */
const AGE_UNITS: Readonly<Record<string, number>> = { h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const ageField = compiledField(z.union([z.string(), z.number()]), (raw) => {
  const match = /^(\d{1,5})(h|d|w)$/.exec(String(raw).trim());
  return match
    ? Number(match[1]) * AGE_UNITS[match[2]!]!
    : { problem: `"${raw}" is not an age: use e.g. 36h, 30d or 4w` };
});

/** Globs over tags: the characters a tag may hold, and * and ?. */
const globField = compiledField(z.string(), (raw) =>
  /^[\w.*?-]{1,128}$/.test(raw)
    ? compileGlob(raw)
    : { problem: `"${raw}" is not a tag glob (letters, digits, _ . - * ?)` },
);

function parseGlobs(text: string, input: string): Glob[] {
  return parseWithSchema(z.array(globField), readStructuredText(text, input), input);
}
