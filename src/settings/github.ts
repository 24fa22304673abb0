import { ConfigurationError } from '../errors.ts';
import type { GitHubSettings } from '../model/github.ts';
import type { InputSpecs } from './input-spec.ts';

/** The inputs every GitHub-facing step takes: which repository, with which token. */
export const githubInputs = {
  'github-token': {
    description:
      "The token for GitHub's API (the workflow's GITHUB_TOKEN by default; the CLI reads GITHUB_TOKEN). Masked everywhere.",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression the runner evaluates
    default: '${{ github.token }}',
  },
  repository: {
    description: 'The repository (owner/name) holding the issues and deployments.',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression the runner evaluates
    default: '${{ github.repository }}',
  },
} as const satisfies InputSpecs;

const REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

/**
 * The token and repository from `values` (defaults applied). A default still unevaluated
 * (`${{ github.token }}` outside GitHub Actions, where nobody evaluates it) is a missing input.
 */
export function parseGitHubSettings(values: Readonly<Record<string, string>>): GitHubSettings {
  const token = values['github-token'] ?? '';
  if (token === '' || token.startsWith('${{'))
    throw new ConfigurationError('github-token', 'is needed: pass a token (or set GITHUB_TOKEN for the CLI)');
  // A token is printable ASCII without spaces; anything else (a pasted newline, a non-Latin-1
  // character) would fail in an HTTP header, later and as if GitHub were down.
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new ConfigurationError(
      'github-token',
      'has a space, a line break or a character a token cannot have',
    );
  const repository = values.repository ?? '';
  if (repository.startsWith('${{'))
    throw new ConfigurationError(
      'repository',
      'is needed: pass owner/name (or set GITHUB_REPOSITORY for the CLI)',
    );
  const found = REPOSITORY.exec(repository);
  if (!found)
    throw new ConfigurationError('repository', `"${repository}" is not owner/name (e.g. acme/shop)`);
  return { token, repository: { owner: found[1]!, repo: found[2]! } };
}
