/** The one GitHub client, loaded on demand by the runtimes that talk to GitHub (see src/entries/runtime.ts). */
export { createGitHubClient } from '../clients/github-client.ts';
