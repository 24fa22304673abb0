import type { RepositoryRef } from '../ports.ts';

/** The token and the repository a GitHub-facing step works with. */
export interface GitHubSettings {
  readonly token: string;
  readonly repository: RepositoryRef;
}

/** Repository roles from least to most trusted, as GitHub names them (role_name). */
export const ROLES = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
export type Role = (typeof ROLES)[number];
