import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import type { GitHubSettings } from '../model/github.ts';
import { type ImageReference, parseImageReference } from '../model/image.ts';
import { ENVIRONMENT_NAME } from '../model/version.ts';
import { parseRegistryCredentials } from './deploy.ts';
import { githubInputs, parseGitHubSettings } from './github.ts';
import {
  applyDefaults,
  type InputSpecs,
  type OutputSpecs,
  parseWithSchema,
  type RawInputs,
} from './input-spec.ts';

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
    description: 'The registry password or token (a secret: masked, never recorded).',
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
  const image = parseImageReference(values.image!);
  if ('problem' in image) throw new ConfigurationError('image', image.problem);
  if (!image.tag && !image.digest)
    throw new ConfigurationError(
      'image',
      `"${values.image}" names no tag or digest: add :v1.4.2 or @sha256:…`,
    );
  return {
    image,
    from: flat['from-environment'],
    to: flat['to-environment'],
    target: parseTarget(values.tag || flat['to-environment'], image),
    ...parseRegistryCredentials(values),
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
