import type { RepositoryRef } from '../ports.ts';

/** The token and the repository a GitHub-facing step works with. */
export interface GitHubSettings {
  readonly token: string;
  readonly repository: RepositoryRef;
}
