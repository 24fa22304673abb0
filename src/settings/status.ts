import * as z from 'zod/mini';
import type { GitHubSettings } from '../model/github.ts';
import { ENVIRONMENT_NAME } from '../model/version.ts';
import { wholeNumberField } from '../schema/fields.ts';
import { githubInputs, parseGitHubSettings } from './github.ts';
import { applyDefaults, type InputSpecs, parseWithSchema, type RawInputs } from './input-spec.ts';

/** `deploy-actions status`: what runs where, what happened, who holds the lock. */
export const statusInputs = {
  environment: { description: 'The environment to show.', required: true },
  'state-dir': { description: 'Where state and locks live (backend file).', default: '~/.deploy-actions' },
  backend: { description: 'Where state and the lock live: file or github.', default: 'file' },
  history: { description: 'How many of the latest releases to show.', default: '10' },
  ...githubInputs,
} as const satisfies InputSpecs;

export interface StatusSettings {
  readonly environment: string;
  readonly stateDir: string;
  readonly history: number;
  readonly github?: GitHubSettings;
}

const schema = z.object({
  environment: z.string().check(z.regex(ENVIRONMENT_NAME, 'expected letters, digits, . _ - (at most 63)')),
  backend: z.enum(['file', 'github'], 'use file or github'),
  history: wholeNumberField(1),
});

export function parseStatusSettings(raw: RawInputs): StatusSettings {
  const values = applyDefaults(statusInputs, raw);
  const flat = parseWithSchema(schema, values);
  return {
    environment: flat.environment,
    stateDir: values['state-dir']!,
    history: flat.history,
    ...(flat.backend === 'github' ? { github: parseGitHubSettings(values) } : {}),
  };
}
